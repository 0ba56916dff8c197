using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Imaging.Sources;

namespace Tessera.Archive.Imaging;

/// <summary>An image a caller may see: its file, whether its project is public, and its open source.</summary>
public sealed record ImageEntry(StoredFile File, bool IsPublic, IImageSource Source);

/// <summary>
/// Finds images by file id for a caller, with the archive's access rules: a file in a project the caller may not
/// read is not found, exactly like a missing one.
/// </summary>
public sealed class ImageCatalog(ArchiveDbContext db, AccessService access, ImageSourceFactory factory, ImageCaches caches)
{
    /// <param name="axis">How a volume is sliced (NIfTI); each axis is a source of its own.</param>
    public async Task<ImageEntry> OpenAsync(Guid fileId, Caller caller, CancellationToken ct, SliceAxis axis = SliceAxis.Z)
    {
        var found = await db.Files.AsNoTracking()
            .Where(f => f.Id == fileId)
            .Join(access.Readable(caller), f => f.ProjectId, p => p.Id, (f, p) => new { File = f, p.IsPublic })
            .FirstOrDefaultAsync(ct)
            ?? throw TesseraException.NotFound($"Image '{fileId}'");
        var key = found.File.Sha256;
        var source = await caches.SourceAsync(axis == SliceAxis.Z ? key : $"{key}|{axis}", () => factory.OpenAsync(key, CancellationToken.None, axis));
        return new ImageEntry(found.File, found.IsPublic, source);
    }
}
