using Tessera.Dicom;

namespace Tessera.Archive.Dicom.Media;

/// <summary>
/// Which directory record an instance gets and which keys each record carries (PS3.3 F.5, the keys the
/// General Purpose profiles ask for): PATIENT, STUDY and SERIES records, then IMAGE for images and the
/// record type of its kind for presentation states, structured reports, documents, waveforms, RT objects.
/// </summary>
public static class MediaRecordKeys
{
    public static readonly DicomTag[] Patient = [DicomTags.SpecificCharacterSet, DicomTags.PatientName, DicomTags.PatientId];

    public static readonly DicomTag[] Study =
    [
        DicomTags.SpecificCharacterSet, DicomTags.StudyDate, DicomTags.StudyTime, DicomTags.AccessionNumber,
        DicomTags.StudyDescription, DicomTags.StudyInstanceUid, DicomTags.StudyId,
    ];

    public static readonly DicomTag[] Series = [DicomTags.SpecificCharacterSet, DicomTags.Modality, DicomTags.SeriesInstanceUid, DicomTags.SeriesNumber];

    private static readonly DicomTag[] Image = [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber];

    private static readonly DicomTag[] Content = [DicomTags.SpecificCharacterSet, DicomTags.ContentDate, DicomTags.ContentTime, DicomTags.InstanceNumber];

    private static readonly DicomTag[] Labelled =
        [.. Content, DicomTags.ContentLabel, DicomTags.ContentDescription, DicomTags.ContentCreatorName];

    // By SOP class UID prefix (PS3.4 Annex B's storage classes); the first that matches wins, IMAGE otherwise.
    private static readonly (string Prefix, string Type, DicomTag[] Keys)[] Kinds =
    [
        ("1.2.840.10008.5.1.4.1.1.11.", "PRESENTATION",
            [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber, DicomTags.ContentLabel, DicomTags.ContentDescription,
             DicomTags.PresentationCreationDate, DicomTags.PresentationCreationTime, DicomTags.ContentCreatorName, DicomTags.ReferencedSeriesSequence]),
        ("1.2.840.10008.5.1.4.1.1.88.59", "KEY OBJECT DOC", [.. Content, DicomTags.ConceptNameCodeSequence]),
        ("1.2.840.10008.5.1.4.1.1.88.", "SR DOCUMENT",
            [.. Content, DicomTags.CompletionFlag, DicomTags.VerificationFlag, DicomTags.VerificationDateTime, DicomTags.ConceptNameCodeSequence]),
        ("1.2.840.10008.5.1.4.1.1.9.", "WAVEFORM", Content),
        ("1.2.840.10008.5.1.4.1.1.104.", "ENCAP DOC",
            [.. Content, DicomTags.DocumentTitle, DicomTags.ConceptNameCodeSequence, DicomTags.MimeTypeOfEncapsulatedDocument]),
        ("1.2.840.10008.5.1.4.1.1.481.2", "RT DOSE", [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber, DicomTags.DoseSummationType]),
        ("1.2.840.10008.5.1.4.1.1.481.3", "RT STRUCTURE SET",
            [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber, DicomTags.StructureSetLabel, DicomTags.StructureSetDate, DicomTags.StructureSetTime]),
        ("1.2.840.10008.5.1.4.1.1.481.5", "RT PLAN", RtPlan()),
        ("1.2.840.10008.5.1.4.1.1.481.8", "RT PLAN", RtPlan()),
        ("1.2.840.10008.5.1.4.1.1.481.4", "RT TREAT RECORD", RtRecord()),
        ("1.2.840.10008.5.1.4.1.1.481.6", "RT TREAT RECORD", RtRecord()),
        ("1.2.840.10008.5.1.4.1.1.481.7", "RT TREAT RECORD", RtRecord()),
        ("1.2.840.10008.5.1.4.1.1.481.9", "RT TREAT RECORD", RtRecord()),
        ("1.2.840.10008.5.1.4.1.1.4.2", "SPECTROSCOPY",
            [.. Content, DicomTags.ImageType, DicomTags.NumberOfFrames, DicomTags.Rows, DicomTags.Columns, DicomTags.DataPointRows, DicomTags.DataPointColumns]),
        ("1.2.840.10008.5.1.4.1.1.66.1", "REGISTRATION", Labelled),
        ("1.2.840.10008.5.1.4.1.1.66.3", "REGISTRATION", Labelled),
        ("1.2.840.10008.5.1.4.1.1.66.2", "FIDUCIAL", Labelled),
        ("1.2.840.10008.5.1.4.1.1.66", "RAW DATA", Content),
    ];

    /// <summary>The record type and keys for an instance of a SOP class.</summary>
    public static (string Type, DicomTag[] Keys) ForSopClass(string sopClassUid)
    {
        ArgumentNullException.ThrowIfNull(sopClassUid);
        foreach (var (prefix, type, keys) in Kinds)
        {
            // A prefix ending in a digit names one class exactly; one ending in '.' a family.
            if (prefix.EndsWith('.') ? sopClassUid.StartsWith(prefix, StringComparison.Ordinal) : sopClassUid == prefix)
                return (type, keys);
        }
        return ("IMAGE", Image);
    }

    private static DicomTag[] RtPlan() =>
        [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber, DicomTags.RtPlanLabel, DicomTags.RtPlanDate, DicomTags.RtPlanTime];

    private static DicomTag[] RtRecord() =>
        [DicomTags.SpecificCharacterSet, DicomTags.InstanceNumber, DicomTags.TreatmentDate, DicomTags.TreatmentTime];
}
