using System.ComponentModel.DataAnnotations;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Uploads;

public sealed class UploadOptions
{
    public const string SectionName = "Uploads";

    /// <summary>
    /// Where the bytes of unfinished resumable uploads are kept; defaults to <c>DataDirectory/uploads</c>.
    /// On the blob directory's file system a finished upload is renamed into place, not copied.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>
    /// During a long request, the bytes received are flushed to disk and counted in the upload's offset
    /// every this many bytes: a crash in the middle loses at most this much, and HEAD shows the progress.
    /// </summary>
    [Range(1L << 20, long.MaxValue)]
    public long CheckpointBytes { get; set; } = 64L << 20;

    /// <summary>An upload untouched this long is deleted with its bytes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The most bytes one import's zips may expand to, in all (a zip bomb is refused before anything is written).</summary>
    [Range(1L << 20, long.MaxValue)]
    public long MaxImportExpandedBytes { get; set; } = 256L << 30;

    /// <summary>The highest compression ratio a zip entry (of over 1 MiB expanded) or a whole zip may have; DICOM rarely passes 10.</summary>
    [Range(2, 100000)]
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>The most entries one zip may hold (its central directory is read into memory).</summary>
    [Range(1, 10_000_000)]
    public int MaxImportEntries { get; set; } = 100_000;

    public string ResolveDirectory(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return Path.GetFullPath(Directory ?? Path.Combine(storage.DataDirectory, "uploads"));
    }

    /// <summary>Where imports and STOW-RS spool what they receive before it is stored: this process's folder of <see cref="ImportStaging"/>.</summary>
    public string ResolveImportDirectory(StorageOptions storage) => ImportStaging(storage).Directory;

    /// <summary><c>import/</c> beside the uploads, where each process spools in a folder of its own, swept at once when the process is gone.</summary>
    public StagingArea ImportStaging(StorageOptions storage) => StagingArea.Of(Path.Combine(ResolveDirectory(storage), "import"));
}
