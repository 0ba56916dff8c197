namespace Tessera.Archive.Dicom.Media;

/// <summary>An instance to export and the file ID it gets in the file-set (its components, 'DICOM' first).</summary>
public sealed record MediaInstance(
    string Project, bool ProjectIsPublic, string? PatientId, string? PatientName, string StudyInstanceUid, string SeriesInstanceUid,
    string SopInstanceUid, string SopClassUid, string FileKey, long Size, int? SeriesNumber, int? InstanceNumber)
{
    public IReadOnlyList<string> FileId { get; internal set; } = [];

    /// <summary>The zip entry's name: the file ID's components joined by '/'.</summary>
    public string EntryName => string.Join('/', FileId);
}
