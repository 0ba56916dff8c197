using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Imaging.Sources;

namespace Tessera.Archive.Imaging;

/// <summary>An image a caller may see: its file, whether its project is public, and its open source.</summary>
public sealed record ImageEntry(StoredFile File, bool IsPublic, IImageSource Source);

/// <summary>
/// Finds images by file id for a caller, with the archive's access rules: a file in a project the caller may not
/// read is not found, exactly like a missing one. What it looks up is cached briefly (<see cref="ImageCaches.AccessLifetime"/>).
/// </summary>
public sealed class ImageCatalog(ArchiveDbContext db, ImageSourceFactory factory, ImageCaches caches)
{
    /// <param name="axis">How a volume is sliced (NIfTI); each axis is a source of its own.</param>
    public async Task<ImageEntry> OpenAsync(Guid fileId, Caller caller, CancellationToken ct, SliceAxis axis = SliceAxis.Z)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var found = await caches.AccessAsync(("file", fileId), () => db.Files.AsNoTracking()
            .Where(f => f.Id == fileId)
            .Join(db.Projects, f => f.ProjectId, p => p.Id, (f, p) => new Found(f, p.IsPublic,
                db.DicomInstances.Where(i => i.FileId == f.Id && i.SopClassUid == DicomWsiSource.SopClassUid).Select(i => (Guid?)i.SeriesId).FirstOrDefault()))
            .FirstOrDefaultAsync(ct));
        if (found is null || !await MayReadAsync(found, caller, ct))
            throw TesseraException.NotFound($"Image '{fileId}'");
        var key = found.File.Sha256;
        if (found.WholeSlideSeries is { } series)
        {
            // Any instance of a whole-slide series shows the series' whole pyramid.
            var slide = await caches.SourceAsync($"wsi|{series}", async () =>
            {
                var keys = await db.DicomInstances.AsNoTracking()
                    .Where(i => i.SeriesId == series && i.SopClassUid == DicomWsiSource.SopClassUid)
                    .Join(db.Files, i => i.FileId, f => f.Id, (_, f) => f.Sha256).Distinct().ToListAsync(CancellationToken.None);
                return await factory.OpenWholeSlideAsync(keys, $"wsi|{series}", CancellationToken.None);
            });
            return new ImageEntry(found.File, found.IsPublic, slide);
        }
        var source = await caches.SourceAsync(axis == SliceAxis.Z ? key : $"{key}|{axis}", () => factory.OpenAsync(key, CancellationToken.None, axis));
        return new ImageEntry(found.File, found.IsPublic, source);
    }

    private sealed record Found(StoredFile File, bool IsPublic, Guid? WholeSlideSeries);

    /// <summary>The rule of <see cref="AccessService.Readable"/>: a token's own project only; admins, public projects, members.</summary>
    private async Task<bool> MayReadAsync(Found found, Caller caller, CancellationToken ct)
    {
        var project = found.File.ProjectId;
        if (caller.TokenProjectId is { } scope && scope != project)
            return false;
        if (caller.IsAdmin || found.IsPublic)
            return true;
        if (caller.UserId is not { } user)
            return false;
        return await caches.AccessAsync(("member", user, project), () => db.ProjectMembers.AsNoTracking().AnyAsync(m => m.ProjectId == project && m.UserId == user, ct));
    }
}
