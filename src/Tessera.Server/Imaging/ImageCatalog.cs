using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Imaging.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Sources;

namespace Tessera.Server.Imaging;

/// <summary>
/// An image a caller may see: its project, a key that changes whenever its content does (the file's hash, or a
/// hash of a series' instances), whether its project is public, its open source, and its pyramid's state when one
/// is due (while it is being built, the source is the stored file itself).
/// </summary>
public sealed record ImageEntry(Guid ProjectId, string ContentKey, bool IsPublic, IImageSource Source, PyramidStatus? Pyramid = null);

/// <summary>
/// Finds images for a caller by id — a file's id, or a DICOM series' id for the whole series as one stack — with
/// the archive's access rules: an image in a project the caller may not read is not found, exactly like a missing
/// one. What it looks up is cached briefly (<see cref="ImageCaches.AccessLifetime"/>).
/// </summary>
public sealed class ImageCatalog(ArchiveDbContext db, ImageSourceFactory factory, ImageCaches caches, PyramidService pyramids, BlobFiles files)
{
    /// <summary>The most planes (instances and their frames) a series shows as one stack.</summary>
    public const int MaxSeriesPlanes = 100_000;

    /// <param name="axis">How a volume is sliced (NIfTI); each axis is a source of its own.</param>
    public async Task<ImageEntry> OpenAsync(Guid fileId, Caller caller, CancellationToken ct, SliceAxis axis = SliceAxis.Z)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var found = await caches.AccessAsync(("file", fileId), () => db.Files.AsNoTracking()
            .Where(f => f.Id == fileId)
            .Join(db.Projects, f => f.ProjectId, p => p.Id, (f, p) => new Found(f, p.IsPublic,
                db.DicomInstances.Where(i => i.FileId == f.Id && i.SopClassUid == DicomWsiSource.SopClassUid).Select(i => (Guid?)i.SeriesId).FirstOrDefault()))
            .FirstOrDefaultAsync(ct));
        if (found is null)
            return await OpenSeriesAsync(fileId, caller, ct);
        if (!await MayReadAsync(found.File.ProjectId, found.IsPublic, caller, ct))
            throw TesseraException.NotFound($"Image '{fileId}'");
        var key = found.File.Sha256;
        if (found.WholeSlideSeries is { } series)
            return new ImageEntry(found.File.ProjectId, key, found.IsPublic, await WholeSlideAsync(series));
        var pyramid = await pyramids.StatusAsync(key, ct);
        try
        {
            return new ImageEntry(found.File.ProjectId, key, found.IsPublic, await pyramids.OpenAsync(key, axis, ct), pyramid);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NeedsPyramid && pyramid is not null)
        {
            throw new PyramidPendingException(e.Message, pyramid, e);
        }
    }

    /// <summary>Any instance of a whole-slide series (or the series itself) shows the series' whole pyramid.</summary>
    private Task<IImageSource> WholeSlideAsync(Guid series) =>
        caches.SourceAsync($"wsi|{series}", async () =>
        {
            var keys = await db.DicomInstances.AsNoTracking()
                .Where(i => i.SeriesId == series && i.SopClassUid == DicomWsiSource.SopClassUid)
                .Join(db.Files, i => i.FileId, f => f.Id, (_, f) => f.Sha256).Distinct().ToListAsync(CancellationToken.None);
            return await factory.OpenWholeSlideAsync(keys, $"wsi|{series}", CancellationToken.None);
        });

    /// <summary>
    /// A DICOM series as one stack: its image instances (those with rows and columns, of the first one's size) in
    /// instance-number order, then by SOP Instance UID, every frame a z plane.
    /// </summary>
    private async Task<ImageEntry> OpenSeriesAsync(Guid seriesId, Caller caller, CancellationToken ct)
    {
        var series = await caches.AccessAsync(("series", seriesId), async () =>
        {
            var head = await db.DicomSeries.AsNoTracking().Where(s => s.Id == seriesId)
                .Join(db.Projects, s => s.ProjectId, p => p.Id, (s, p) => new { s.ProjectId, p.IsPublic }).FirstOrDefaultAsync(ct);
            if (head is null)
                return null;
            var instances = (await db.DicomInstances.AsNoTracking().Where(i => i.SeriesId == seriesId && i.Rows != null && i.Columns != null)
                    .Join(db.Files, i => i.FileId, f => f.Id, (i, f) => new { f.Sha256, i.InstanceNumber, i.SopInstanceUid, i.SopClassUid, i.NumberOfFrames, i.Rows, i.Columns })
                    .ToListAsync(ct))
                .OrderBy(i => i.InstanceNumber ?? int.MaxValue).ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal).ToList();
            var first = instances.FirstOrDefault();
            var stack = instances.Where(i => i.Rows == first?.Rows && i.Columns == first?.Columns).ToList();
            // Counted before a plane is made: each is an object, and a count the files declare must not size the list.
            var count = stack.Sum(i => (long)Math.Max(1, i.NumberOfFrames ?? 1));
            if (count > MaxSeriesPlanes)
                throw ImageException.Unsupported($"the series has {count:N0} images and frames, more than the viewer shows as one stack ({MaxSeriesPlanes:N0})");
            var planes = stack
                .SelectMany(i => Enumerable.Range(0, Math.Max(1, i.NumberOfFrames ?? 1)).Select(frame => new SeriesPlane(i.Sha256, frame))).ToList();
            return new FoundSeries(head.ProjectId, head.IsPublic, planes, instances.Any(i => i.SopClassUid == DicomWsiSource.SopClassUid));
        });
        if (series is null || !await MayReadAsync(series.ProjectId, series.IsPublic, caller, ct))
            throw TesseraException.NotFound($"Image '{seriesId}'");
        if (series.WholeSlide)
            return new ImageEntry(series.ProjectId, $"wsi|{seriesId}", series.IsPublic, await WholeSlideAsync(seriesId));
        if (series.Planes.Count == 0)
            throw ImageException.Unsupported("the series holds no images");
        var content = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(string.Join('|', series.Planes.Select(p => $"{p.Key}:{p.Frame}")))));
        var stack = await caches.SourceAsync($"series|{content}", async () =>
        {
            var first = await caches.SourceAsync(series.Planes[0].Key, () => factory.OpenAsync(series.Planes[0].Key, CancellationToken.None));
            // Every instance's local file is made ready here, so that a plane opens synchronously as it is shown.
            var paths = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var key in series.Planes.Select(p => p.Key).Distinct())
                paths[key] = await files.PathAsync(key, CancellationToken.None);
            return new DicomSeriesSource(first, series.Planes, key => caches.Source(key, () => factory.OpenDicomFile(key, paths[key])));
        });
        return new ImageEntry(series.ProjectId, content, series.IsPublic, stack);
    }

    private sealed record Found(StoredFile File, bool IsPublic, Guid? WholeSlideSeries);

    private sealed record FoundSeries(Guid ProjectId, bool IsPublic, IReadOnlyList<SeriesPlane> Planes, bool WholeSlide);

    /// <summary>The rule of <see cref="AccessService.Readable"/>: a token's own project only; admins, public projects, members.</summary>
    private async Task<bool> MayReadAsync(Guid project, bool isPublic, Caller caller, CancellationToken ct)
    {
        if (caller.TokenProjectId is { } scope && scope != project)
            return false;
        if (caller.IsAdmin || isPublic)
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
