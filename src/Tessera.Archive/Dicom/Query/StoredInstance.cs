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
    long Size);
