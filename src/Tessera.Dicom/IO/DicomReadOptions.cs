namespace Tessera.Dicom.IO;

/// <summary>How much of a dataset to read and what to keep in memory.</summary>
public sealed record DicomReadOptions
{
    /// <summary>Everything loaded: for small objects and tests.</summary>
    public static readonly DicomReadOptions Default = new();

    /// <summary>Headers only: stop before Pixel Data and load nothing large.</summary>
    public static readonly DicomReadOptions Headers = new() { StopBefore = DicomTags.PixelData, BulkDataThreshold = 64 * 1024 };

    /// <summary>Top-level elements at or after this tag are not read (nor the rest of the stream).</summary>
    public DicomTag? StopBefore { get; init; }

    /// <summary>
    /// Values longer than this stay in a seekable source as <see cref="BulkDataReference"/>s; in a
    /// stream that cannot seek they are read in chunks and discarded when <see cref="DropBulkData"/>,
    /// else loaded.
    /// </summary>
    public long BulkDataThreshold { get; init; } = long.MaxValue;

    /// <summary>Drop values past the threshold that cannot be referenced (a network or deflated stream), keeping only their length.</summary>
    public bool DropBulkData { get; init; }

    /// <summary>How deep sequences may nest before the input is refused (a guard against hostile files).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>How many sequence items the input may hold in all before it is refused (a DICOMDIR's records, bounded by its reader).</summary>
    public int MaxItems { get; init; } = int.MaxValue;

    /// <summary>How many elements the input may hold in all, at every depth, before it is refused (a DICOMDIR, bounded by its reader).</summary>
    public int MaxElements { get; init; } = int.MaxValue;
}
