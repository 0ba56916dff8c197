using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Archive.Dicom;

/// <summary>What a project does with a SOP instance it already holds when different bytes arrive.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DifferentContentPolicy>))]
public enum DifferentContentPolicy
{
    /// <summary>Keep both: the new bytes become the current version, the old file stays.</summary>
    Version,
    /// <summary>Refuse the new bytes.</summary>
    Reject,
}

/// <summary>
/// De-identification of every DICOM object the project receives (PS3.15 Basic Profile and options).
/// <see cref="Key"/> is the project's secret for remapping UIDs and, through keys derived from it, for
/// finding and making pseudonyms; it is made when de-identification is first switched on and never
/// leaves the server.
/// </summary>
public sealed record DeidentificationSettings
{
    /// <summary>Off keeps the key, so that switching back on maps UIDs and finds pseudonyms as before.</summary>
    public bool Enabled { get; init; } = true;
    public bool RetainLongitudinalTemporal { get; init; }
    public bool RetainPatientCharacteristics { get; init; }
    public bool CleanDescriptors { get; init; }
    public string? Key { get; init; }

    /// <summary>How patients are named; null for the default, a counter through {project}-{n:0000}.</summary>
    public PseudonymSettings? Pseudonym { get; init; }

    /// <summary>
    /// Whether the original PatientID (and issuer) of each pseudonym is kept, for owners to read and the
    /// data custodian to re-identify with. Off, only a keyed hash of it is kept.
    /// </summary>
    public bool KeepMapping { get; init; }

    [JsonIgnore]
    public PseudonymSettings EffectivePseudonym => Pseudonym ?? new PseudonymSettings();

    public Tessera.Dicom.Deidentification.DeidentificationOptions Options => new()
    {
        RetainLongitudinalTemporal = RetainLongitudinalTemporal,
        RetainPatientCharacteristics = RetainPatientCharacteristics,
        CleanDescriptors = CleanDescriptors,
    };
}

/// <summary>A project's DICOM settings, stored as JSON on the project.</summary>
public sealed record ProjectDicomSettings
{
    public static readonly ProjectDicomSettings Default = new();

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>The project's own called AE title (issue 5's DICOM node routes C-STOREs to it).</summary>
    public string? AeTitle { get; init; }

    public const string DefaultSessionLabel = "{StudyDate}_{AccessionNumber|StudyUidHash}";

    /// <summary>How a study's session is labelled: attribute keywords in braces, alternatives after '|', e.g. {StudyDate}_{AccessionNumber|StudyUidHash}.</summary>
    public string SessionLabel { get; init; } = DefaultSessionLabel;

    /// <summary>
    /// The session template imports use. A de-identifying project that kept the default uses only what
    /// de-identification keeps: {StudyDate}_{StudyUidHash} with full dates retained, else {StudyUidHash}
    /// (the labels are those the default made there, as the accession number and dates are emptied).
    /// </summary>
    [JsonIgnore]
    public string EffectiveSessionLabel => Deidentification is { Enabled: true } deid && SessionLabel == DefaultSessionLabel
        ? deid.RetainLongitudinalTemporal ? "{StudyDate}_{StudyUidHash}" : "{StudyUidHash}"
        : SessionLabel;

    /// <summary>The subject label for files without a PatientID (a Type 2 attribute that may be empty).</summary>
    public string SubjectWithoutPatientId { get; init; } = "NOPID_{StudyUidHash}";

    public DifferentContentPolicy OnDifferentContent { get; init; } = DifferentContentPolicy.Version;

    /// <summary>When set, objects are de-identified before they are stored; the originals are not kept.</summary>
    public DeidentificationSettings? Deidentification { get; init; }

    public static ProjectDicomSettings Parse(string? json) =>
        string.IsNullOrWhiteSpace(json) ? Default : JsonSerializer.Deserialize<ProjectDicomSettings>(json, s_json) ?? Default;

    public string Serialize() => JsonSerializer.Serialize(this, s_json);

    /// <summary>The settings with a de-identification key made if de-identification is on and has none.</summary>
    public ProjectDicomSettings WithKeys() => Deidentification is { Enabled: true, Key: null } deid
        ? this with { Deidentification = deid with { Key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) } }
        : this;

    /// <summary>
    /// Checks the templates (with de-identification on, the session template may use only what the
    /// de-identified object holds), the pseudonym settings against project <paramref name="project"/>, and
    /// the AE title (PS3.5: up to 16 characters, no backslash or control characters).
    /// </summary>
    public void Validate(string project)
    {
        LabelTemplate.Validate(SessionLabel);
        LabelTemplate.Validate(SubjectWithoutPatientId);
        if (Deidentification is { Enabled: true } deid)
        {
            LabelTemplate.ValidateDeidentified(EffectiveSessionLabel, deid.Options, "session label");
            deid.EffectivePseudonym.Validate(project);
        }
        if (AeTitle is { } ae && (ae.Trim().Length == 0 || ae.Length > 16 || ae.Any(c => c == '\\' || char.IsControl(c) || c > 0x7E)))
            throw TesseraException.Invalid($"The AE title '{ae}' is not valid: 1 to 16 characters, no backslash or control characters.");
    }
}
