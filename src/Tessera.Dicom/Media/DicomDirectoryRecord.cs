namespace Tessera.Dicom.Media;

/// <summary>One directory record of a DICOMDIR (PS3.3 F.3.2.2): its type, its keys, and the file it references, if any.</summary>
public sealed class DicomDirectoryRecord(DicomDataset dataset, string type, long offset)
{
    /// <summary>The record's item: the record's own attributes and its keys.</summary>
    public DicomDataset Dataset { get; } = dataset;

    /// <summary>Directory Record Type (0004,1430): PATIENT, STUDY, SERIES, IMAGE, SR DOCUMENT, PRIVATE…</summary>
    public string Type { get; } = type;

    /// <summary>Where the record's item starts in the DICOMDIR file.</summary>
    public long Offset { get; } = offset;

    /// <summary>The record that references this one's directory entity, or null at the root (or when read without links).</summary>
    public DicomDirectoryRecord? Parent { get; internal set; }

    /// <summary>Referenced File ID (0004,1500): the file's path components below the DICOMDIR's folder; empty when none.</summary>
    public IReadOnlyList<string> FileId => Dataset.GetStrings(DicomTags.ReferencedFileId);

    /// <summary>The file ID as the DICOMDIR writes it, components joined by backslashes.</summary>
    public string FileIdText => string.Join('\\', FileId);

    public string? ReferencedSopClassUid => Dataset.GetString(DicomTags.ReferencedSopClassUidInFile);

    public string? ReferencedSopInstanceUid => Dataset.GetString(DicomTags.ReferencedSopInstanceUidInFile);

    public string? ReferencedTransferSyntaxUid => Dataset.GetString(DicomTags.ReferencedTransferSyntaxUidInFile);

    public override string ToString() => FileId.Count > 0 ? $"{Type} record at offset {Offset} ({FileIdText})" : $"{Type} record at offset {Offset}";
}
