using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Sources;
using Tessera.Imaging.Tiles;

namespace Tessera.Server.Imaging;

/// <summary>A stored thumbnail: its JPEG bytes and blob key (a stable ETag).</summary>
public sealed record Thumbnail(byte[] Jpeg, string Key);

/// <summary>
/// Thumbnails of scans and sessions: the scan's middle DICOM instance (its middle frame) or its first image file,
/// fitted into 256 x 256, made on first use and kept as a blob keyed by the source's content hash, so it is made
/// once for every file with that content. A file that cannot be shown is remembered as such. Making one takes a
/// decode slot (<see cref="DecodeLimiter"/>); sending a stored one does not.
/// </summary>
public sealed class ThumbnailService(
    ArchiveDbContext db, IBlobStore blobs, PyramidService pyramids, DerivedImageStore store, DecodeLimiter limiter, IOptions<ImagingOptions> options)
{
    public const string Kind = "thumbnail-256";
    public const int Size = 256;

    /// <summary>The scan's thumbnail, or null when it holds no image that can be shown.</summary>
    public async Task<Thumbnail?> ForScanAsync(ProjectAccess access, Guid scanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        foreach (var key in await CandidatesAsync(access.Project.Id, scanId, ct))
        {
            if (await ForBlobAsync(key, ct) is { } thumbnail)
                return thumbnail;
        }
        return null;
    }

    /// <summary>The thumbnail of the session's first scan (by label) that has one.</summary>
    public async Task<Thumbnail?> ForSessionAsync(ProjectAccess access, Guid sessionId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        var scans = await db.Scans.AsNoTracking().Where(s => s.SessionId == sessionId).OrderBy(s => s.Label).Select(s => s.Id).Take(50).ToListAsync(ct);
        foreach (var scan in scans)
        {
            if (await ForScanAsync(access, scan, ct) is { } thumbnail)
                return thumbnail;
        }
        return null;
    }

    /// <summary>The blobs worth a try, best first: the series' middle instance, then image files by path.</summary>
    private async Task<List<string>> CandidatesAsync(Guid projectId, Guid scanId, CancellationToken ct)
    {
        var keys = new List<string>();
        var series = await db.DicomSeries.AsNoTracking().Where(s => s.ScanId == scanId && s.ProjectId == projectId).Select(s => s.Id).FirstOrDefaultAsync(ct);
        if (series != Guid.Empty)
        {
            var instances = await db.DicomInstances.AsNoTracking().Where(i => i.SeriesId == series)
                .OrderBy(i => i.InstanceNumber).ThenBy(i => i.Id)
                .Join(db.Files, i => i.FileId, f => f.Id, (i, f) => f.Sha256).ToListAsync(ct);
            if (instances.Count > 0)
                keys.Add(instances[instances.Count / 2]);
        }
        var files = await db.Files.AsNoTracking()
            .Join(db.Resources.Where(r => r.OwnerId == scanId), f => f.ResourceId, r => r.Id, (f, _) => f)
            .OrderBy(f => f.Path).Take(500).ToListAsync(ct);
        keys.AddRange(files.Where(f => ImageFormats.LooksShowable(f.Path, f.MediaType)).Select(f => f.Sha256).Take(5));
        return keys.Distinct().ToList();
    }

    private async Task<Thumbnail?> ForBlobAsync(string source, CancellationToken ct)
    {
        var known = await db.DerivedImages.AsNoTracking().FirstOrDefaultAsync(d => d.SourceKey == source && d.Kind == Kind, ct);
        if (known is { State: "failed" })
            return null;
        if (known is { State: "ready", BlobKey: { } stored })
        {
            try
            {
                await using var stream = await blobs.OpenReadAsync(stored, ct);
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer, ct);
                return new Thumbnail(buffer.ToArray(), stored);
            }
            catch (BlobMissingException)
            {
                // Swept or lost: made again below.
            }
        }
        byte[] jpeg;
        try
        {
            var image = await pyramids.OpenAsync(source, SliceAxis.Z, ct);
            // DecodeBusyException is not an ImageException: a busy node is answered 503, and nothing is remembered.
            jpeg = await limiter.RunAsync(() => Render(image), ct);
        }
        catch (ImageException e) when (e.Kind == ImageErrorKind.NeedsPyramid)
        {
            return null; // made once the pyramid is built
        }
        catch (ImageException e) when (e.Kind != ImageErrorKind.MissingLibrary)
        {
            // Remembered: the file will not become showable. A missing library is not remembered (it may be installed).
            await store.RecordAsync(source, Kind, null, "failed", 0, e.Message, ct);
            return null;
        }
        var key = await store.StoreAsync(jpeg, ct);
        await store.RecordAsync(source, Kind, key, "ready", 100, null, ct);
        return new Thumbnail(jpeg, key);
    }

    private byte[] Render(IImageSource source)
    {
        var image = source.Description;
        var scale = Math.Min(1.0, Math.Min((double)Size / image.Width, (double)Size / image.Height));
        var (width, height) = (Math.Max(1, (int)Math.Round(image.Width * scale)), Math.Max(1, (int)Math.Round(image.Height * scale)));
        var plane = new ImagePlane(image.SizeZ / 2, 0);
        var pixels = ImageRenderer.Region(source, new PixelRect(0, 0, image.Width, image.Height), width, height, plane, RenderOptions.Default);
        return JpegEncoder.Encode(pixels, options.Value.JpegQuality);
    }
}
