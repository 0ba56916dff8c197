namespace Tessera.Dicom.Deidentification;

/// <summary>The Basic Application Level Confidentiality Profile (PS3.15 E.2) and the options a project may add.</summary>
public sealed record DeidentificationOptions
{
    /// <summary>Retain Longitudinal Temporal Information with Full Dates (E.3.6): dates and times are kept.</summary>
    public bool RetainLongitudinalTemporal { get; init; }

    /// <summary>Retain Patient Characteristics (E.3.7): sex, age, size, weight and the like are kept.</summary>
    public bool RetainPatientCharacteristics { get; init; }

    /// <summary>Clean Descriptors (E.3.5): descriptions are kept, cleaned of the identifiers the object carried.</summary>
    public bool CleanDescriptors { get; init; }

    /// <summary>What the profile does to a public attribute with these options, or null when the table does not name it (it is kept).</summary>
    public DeidentificationAction? ActionFor(DicomTag tag) => ConfidentialityProfile.ActionFor(tag, this);

    /// <summary>The profile and options in words, e.g. "PS3.15 Basic Profile, Retain Longitudinal Temporal".</summary>
    public string Describe() => string.Join(", ", new[]
    {
        "PS3.15 Basic Profile",
        RetainLongitudinalTemporal ? "Retain Longitudinal Temporal" : null,
        RetainPatientCharacteristics ? "Retain Patient Characteristics" : null,
        CleanDescriptors ? "Clean Descriptors" : null,
    }.OfType<string>());
}
