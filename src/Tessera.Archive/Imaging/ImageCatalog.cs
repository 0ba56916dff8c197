using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Imaging;
using Tessera.Imaging.Sources;

namespace Tessera.Archive.Imaging;

/// <summary>
/// An image a caller may see: its file, whether its project is public, its open source, and its pyramid's state
/// when one is due (while it is being built, the source is the stored file itself).
/// </summary>
public sealed record ImageEntry(StoredFile File, bool IsPublic, IImageSource Source, PyramidStatus? Pyramid = null);

/// <summary>
/// Finds images by file id for a caller, with the archive's access rules: a file in a project the caller may not
/// read is not found, exactly like a missing one. What it looks up is cached briefly (<see cref="ImageCaches.AccessLifetime"/>).
/// </summary>
public sealed class ImageCatalog(ArchiveDbContext db, ImageSourceFactory factory, ImageCaches caches, PyramidService pyramids)
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
        var pyramid = await pyramids.StatusAsync(key, ct);
        try
        {
            return new ImageEntry(found.File, found.IsPublic, await pyramids.OpenAsync(key, axis, ct), pyramid);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NeedsPyramid && pyramid is not null)
        {
            throw new PyramidPendingException(e.Message, pyramid, e);
        }
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

/// <summary>The image can be shown only from its pyramid, which is not ready: how far it is (HTTP 503 with Retry-After).</summary>
public sealed class PyramidPendingException(string message, PyramidStatus status, Exception inner) : Exception(message, inner)
{
    public PyramidStatus Status { get; } = status;
}
