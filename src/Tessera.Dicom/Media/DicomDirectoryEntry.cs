namespace Tessera.Dicom.Media;

/// <summary>A directory record to write: its type, keys and referenced file (all in <see cref="Keys"/>) and its lower-level entity.</summary>
public sealed class DicomDirectoryEntry
{
    public DicomDirectoryEntry(string type, DicomDataset? keys = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        Keys = keys ?? new DicomDataset();
        Keys.SetString(DicomTags.DirectoryRecordType, DicomVr.CS, type);
    }

    /// <summary>Directory Record Type, the referenced file's attributes (0004,15xx) and the record's keys; offsets are the writer's.</summary>
    public DicomDataset Keys { get; }

    /// <summary>The records of this one's lower-level directory entity (a patient's studies, a study's series…).</summary>
    public List<DicomDirectoryEntry> Lower { get; } = [];
}
