namespace Tessera.Dicom.Media;

/// <summary>
/// What a DICOMDIR may hold before it is refused: every byte of a disc is someone else's, and a
/// directory is read whole into memory. A DVD of small images has some tens of thousands of records.
/// </summary>
public sealed record DicomDirectoryLimits
{
    public static readonly DicomDirectoryLimits Default = new();

    /// <summary>The DICOMDIR file's size.</summary>
    public long MaxBytes { get; init; } = 64L << 20;

    /// <summary>Directory records in all.</summary>
    public int MaxRecords { get; init; } = 100_000;

    /// <summary>How deep directory entities may reference lower ones (PATIENT, STUDY, SERIES, IMAGE is 4).</summary>
    public int MaxLevels { get; init; } = 16;
}
