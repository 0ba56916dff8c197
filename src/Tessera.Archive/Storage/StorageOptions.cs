using System.ComponentModel.DataAnnotations;

namespace Tessera.Archive.Storage;

public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>Root of everything Tessera keeps on local disk (database, blobs) by default.</summary>
    [Required]
    public string DataDirectory { get; set; } = "tessera-data";

    /// <summary>Where the filesystem blob store keeps content; defaults to <c>DataDirectory/blobs</c>.</summary>
    public string? BlobDirectory { get; set; }

    /// <summary>How often orphan blobs and temporary files are swept.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An unreferenced blob is deleted only once it has been unused this long.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Temporary upload files untouched this long are considered abandoned.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan TemporaryMaxAge { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Where local copies of blobs are kept for readers that need a file, when the blob store keeps none (object
    /// storage); defaults to <c>DataDirectory/cache/blobs</c>.
    /// </summary>
    public string? FileCacheDirectory { get; set; }

    /// <summary>How much the local copies may take; the least recently used go first.</summary>
    [Range(64, 16L << 20)]
    public long FileCacheMegabytes { get; set; } = 8192;

    public string ResolveFileCacheDirectory() =>
        Path.GetFullPath(FileCacheDirectory ?? Path.Combine(DataDirectory, "cache", "blobs"));

    public string ResolveBlobDirectory() =>
        Path.GetFullPath(BlobDirectory ?? Path.Combine(DataDirectory, "blobs"));
}
