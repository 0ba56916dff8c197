namespace Tessera.Archive.Dicom.Query;

/// <summary>A stored DICOM instance that a caller may retrieve: where it sits in the hierarchy and its file.</summary>
public sealed record StoredInstance(
    string Project,
    bool ProjectIsPublic,
    string StudyInstanceUid,
    string SeriesInstanceUid,
    string SopInstanceUid,
    string SopClassUid,
    string TransferSyntaxUid,
    string FileKey,
    long Size,
    string? PatientId = null,
    string? PatientName = null,
    int? SeriesNumber = null,
    int? InstanceNumber = null,
    int? Rows = null,
    int? NumberOfFrames = null);

/// <summary>The DICOM series of a scan, for its page; <see cref="Id"/> is also its image id (the series as one stack).</summary>
public sealed record ScanSeries(string StudyInstanceUid, string SeriesInstanceUid, string? Modality, string? Description,
    IReadOnlyList<SeriesInstance> Instances, int Total, Guid Id = default, bool WholeSlide = false);

/// <summary>One instance of a scan's series.</summary>
public sealed record SeriesInstance(string SopInstanceUid, int? InstanceNumber, string TransferSyntaxUid, string FileKey, Guid FileId = default, int Frames = 1);
