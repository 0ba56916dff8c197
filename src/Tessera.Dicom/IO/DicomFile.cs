namespace Tessera.Dicom.IO;

/// <summary>A DICOM object as read from a file or stream: file meta information, dataset and how it was encoded.</summary>
public sealed class DicomFile(DicomDataset meta, DicomDataset dataset, TransferSyntax syntax)
{
    /// <summary>Group 0002 (PS3.10 7.1); empty when the source had none.</summary>
    public DicomDataset Meta { get; } = meta;

    public DicomDataset Dataset { get; } = dataset;

    /// <summary>The syntax the dataset was encoded in (from the meta information, or detected).</summary>
    public TransferSyntax Syntax { get; } = syntax;

    /// <summary>Whether the source had the 128-byte preamble and "DICM".</summary>
    public bool HadPreamble { get; init; }

    /// <summary>Whether the source had file meta information.</summary>
    public bool HadMeta => Meta.Count > 0;

    /// <summary>Where the dataset starts in the source (after the meta information).</summary>
    public long DatasetOffset { get; init; }

    /// <summary>Whether reading stopped before the end (at <see cref="DicomReadOptions.StopBefore"/>).</summary>
    public bool Stopped { get; init; }

    /// <summary>Defects read past leniently (a bad VR, a missing delimiter), for import reports.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Where the source's bulk data can be read again, or null.</summary>
    public IBulkDataSource? Source { get; init; }

    public string? SopInstanceUid => Dataset.GetString(DicomTags.SopInstanceUid) ?? Meta.GetString(DicomTags.MediaStorageSopInstanceUid);

    public string? SopClassUid => Dataset.GetString(DicomTags.SopClassUid) ?? Meta.GetString(DicomTags.MediaStorageSopClassUid);
}
