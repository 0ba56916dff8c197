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

    /// <summary>An upload untouched this long is deleted with its bytes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Expiry { get; set; } = TimeSpan.FromDays(7);

    public string ResolveDirectory(StorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return Path.GetFullPath(Directory ?? Path.Combine(storage.DataDirectory, "uploads"));
    }

    /// <summary>Where imports and STOW-RS spool what they receive before it is stored (<c>import/</c> beside the uploads).</summary>
    public string ResolveImportDirectory(StorageOptions storage) => Path.Combine(ResolveDirectory(storage), "import");
}
