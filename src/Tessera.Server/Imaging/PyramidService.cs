using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Imaging.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Pyramids;
using Tessera.Imaging.Sources;

namespace Tessera.Server.Imaging;

/// <summary>Where an image's pyramid stands: pending, building (with its percent), ready or failed.</summary>
public sealed record PyramidStatus(string State, int Progress, string? Error)
{
    public bool Waiting => State is PyramidService.Pending or PyramidService.Building;
}

/// <summary>
/// Pyramids for large pictures stored at one resolution (PNG, JPEG, flat or single-level TIFF): every such file is
/// queued as it is stored, a background worker claims the queue one image at a time (any number of nodes may, each
/// claim is a conditional update) and builds a 256-pixel JPEG pyramid with libvips, kept as a blob in
/// <c>derived_images</c> under the source's content hash. Until it is ready, images are shown from the source.
/// </summary>
public sealed class PyramidService(
    ArchiveDbContext db, IBlobStore blobs, BlobFiles files, ImageSourceFactory factory, ImageCaches caches, DerivedImageStore store,
    TimeProvider clock, IOptions<ImagingOptions> options)
{
    public const string Kind = "pyramid-jpeg-256";
    public const string Pending = "pending";
    public const string Building = "building";
    public const string Ready = "ready";
    public const string Failed = "failed";

    /// <summary>The image has levels of its own, is small, or is not a picture: nothing to build.</summary>
    public const string Unneeded = "unneeded";

    /// <summary>A build whose row has not moved for this long is taken to have died with its node, and is claimed again.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

    private static readonly HashSet<string> Candidates = new(StringComparer.OrdinalIgnoreCase) { "image/png", "image/jpeg", "image/tiff" };

    /// <summary>Whether a stored file of this media type may need a pyramid (its header decides, later).</summary>
    public static bool MayNeedOne(string mediaType) => Candidates.Contains(mediaType?.Split(';')[0].Trim() ?? "");

    /// <summary>
    /// Queues the blobs for a look (content already queued or built is left as it is), in the caller's transaction:
    /// ingest calls it through <see cref="PyramidQueueObserver"/> as it records the files, so a crash cannot lose it.
    /// </summary>
    public async Task<int> EnqueueAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!options.Value.BuildPyramids)
            return 0;
        var now = clock.GetUtcNow().UtcDateTime;
        var queued = 0;
        foreach (var key in keys.Distinct())
        {
            queued += await db.Database.ExecuteSqlAsync(
                $"INSERT INTO derived_images (source_key, kind, state, progress, created_at, updated_at) VALUES ({key}, {Kind}, {Pending}, 0, {now}, {now}) ON CONFLICT (source_key, kind) DO NOTHING",
                ct);
        }
        return queued;
    }

    /// <summary>
    /// The pyramid's state for a blob, or null when none is due. A final state is remembered as long as access facts
    /// are; one still moving for a second, so that a viewer polling it sees the percent climb.
    /// </summary>
    public Task<PyramidStatus?> StatusAsync(string key, CancellationToken ct) =>
        caches.AccessAsync(("pyramid", key), async () =>
        {
            var row = await db.DerivedImages.AsNoTracking().Where(d => d.SourceKey == key && d.Kind == Kind)
                .Select(d => new { d.State, d.Progress, d.Error }).FirstOrDefaultAsync(ct);
            return row is null || row.State == Unneeded ? null : new PyramidStatus(row.State, row.Progress, row.Error);
        }, status => status is { Waiting: true } ? TimeSpan.FromSeconds(1) : ImageCaches.AccessLifetime);

    /// <summary>The blob as an image: its built pyramid when ready, else the stored file itself.</summary>
    public async Task<IImageSource> OpenAsync(string key, SliceAxis axis, CancellationToken ct)
    {
        if (axis == SliceAxis.Z && await StatusAsync(key, ct) is { State: Ready })
        {
            try
            {
                // Looked up once per open (the open source is cached): a tile request touches no database.
                return await caches.SourceAsync($"pyramid|{key}", async () =>
                {
                    var built = await db.DerivedImages.AsNoTracking().Where(d => d.SourceKey == key && d.Kind == Kind && d.State == Ready)
                        .Select(d => d.BlobKey).FirstOrDefaultAsync(CancellationToken.None);
                    if (built is null || !await blobs.ExistsAsync(built, CancellationToken.None))
                        throw new BlobMissingException(built ?? key);
                    return await factory.OpenPyramidAsync(built, CancellationToken.None);
                });
            }
            catch (BlobMissingException)
            {
                // The pyramid was lost: shown from the source, as before it was built.
            }
        }
        return await caches.SourceAsync(axis == SliceAxis.Z ? key : $"{key}|{axis}", () => factory.OpenAsync(key, CancellationToken.None, axis));
    }

    /// <summary>Takes the oldest pending image (or one whose builder died) for this node; null when there is none.</summary>
    public async Task<string?> ClaimAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var stale = now - StaleAfter;
        var candidates = await db.DerivedImages.AsNoTracking()
            .Where(d => d.Kind == Kind && (d.State == Pending || d.State == Building && d.UpdatedAt < stale))
            .OrderBy(d => d.CreatedAt).Take(10).Select(d => new { d.SourceKey, d.State, d.UpdatedAt }).ToListAsync(ct);
        foreach (var candidate in candidates)
        {
            var claimed = await db.DerivedImages
                .Where(d => d.SourceKey == candidate.SourceKey && d.Kind == Kind && d.State == candidate.State && d.UpdatedAt == candidate.UpdatedAt)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, Building).SetProperty(d => d.Progress, 0).SetProperty(d => d.UpdatedAt, now), ct);
            if (claimed == 1)
                return candidate.SourceKey;
        }
        return null;
    }

    /// <summary>
    /// Builds the claimed image's pyramid, or records that it needs none. The row's progress moves at most once a
    /// second while libvips works. A cancelled build (the node stopping) goes back to the queue. Returns the state it ends in.
    /// </summary>
    public async Task<string> BuildAsync(string key, CancellationToken ct)
    {
        var o = options.Value;
        var output = Path.Combine(Path.GetTempPath(), $"tessera-pyramid-{Guid.NewGuid():N}.tif");
        try
        {
            if (!await NeedsOneAsync(key, ct))
            {
                await store.RecordAsync(key, Kind, null, Unneeded, 0, null, ct);
                return Unneeded;
            }
            // libvips reads a file: the store's own, or a local copy (BlobFiles).
            var input = await files.PathAsync(key, ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromMinutes(o.PyramidTimeoutMinutes));
            var percent = 0;
            var build = VipsPyramid.BuildAsync(o.VipsCommand, input, output, o.JpegQuality, new Progress(p => Volatile.Write(ref percent, p)), limit.Token);
            var reported = 0;
            var beat = clock.GetTimestamp();
            while (await Task.WhenAny(build, Task.Delay(TimeSpan.FromSeconds(1), ct)) != build)
            {
                // A new percent, or every 30 s a heartbeat, so that no other node takes the build for dead.
                if (Volatile.Read(ref percent) is var now && (now != reported || clock.GetElapsedTime(beat) > TimeSpan.FromSeconds(30)))
                {
                    (reported, beat) = (now, clock.GetTimestamp());
                    await store.RecordAsync(key, Kind, null, Building, now, null, ct);
                }
            }
            try
            {
                await build;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw ImageException.Malformed($"the pyramid took longer than {o.PyramidTimeoutMinutes} minutes to build");
            }
            await using var staged = await blobs.StageFileAsync(output, null, ct);
            var built = await store.StoreAsync(staged, ct);
            await store.RecordAsync(key, Kind, built, Ready, 100, null, ct);
            caches.Forget(("pyramid", key));
            return Ready;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await store.RecordAsync(key, Kind, null, Pending, 0, null, CancellationToken.None);
            throw;
        }
        catch (ImageException e)
        {
            await store.RecordAsync(key, Kind, null, Failed, 0, e.Message, CancellationToken.None);
            return Failed;
        }
        catch (BlobMissingException)
        {
            await store.RecordAsync(key, Kind, null, Unneeded, 0, null, CancellationToken.None); // its file is gone
            return Unneeded;
        }
        catch (IOException e)
        {
            await store.RecordAsync(key, Kind, null, Failed, 0, $"the pyramid could not be written or read: {e.Message}", CancellationToken.None);
            return Failed;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>
    /// Whether the blob is a picture larger than <see cref="ImagingOptions.PyramidMinPixels"/> stored at one
    /// resolution and one plane: PNG and JPEG by their header, TIFF by its directories (vendor slides never).
    /// </summary>
    private async Task<bool> NeedsOneAsync(string key, CancellationToken ct)
    {
        var head = new byte[1 << 20];
        int read;
        await using (var stream = await blobs.OpenReadAsync(key, ct))
            read = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct);
        var minimum = options.Value.PyramidMinPixels;
        switch (ImageSourceFactory.Recognise(head.AsSpan(0, read)))
        {
            case "PNG" or "JPEG":
                return RasterHeader.Size(head.AsSpan(0, read)) is var (width, height) && (long)width * height >= minimum;
            case "TIFF":
                try
                {
                    using var source = await factory.OpenStoredTiffAsync(key, ct);
                    var image = source.Description;
                    return source is ReducedSource || image.Levels.Count == 1 && image.SizeZ * image.SizeT == 1 && image.Channels.Count == 0
                        && (long)image.Width * image.Height >= minimum;
                }
                catch (ImageException e) when (e.Kind == ImageErrorKind.NeedsPyramid)
                {
                    return true;
                }
                catch (ImageException)
                {
                    return false; // not shown at all: its viewer says why
                }
            default:
                return false;
        }
    }

    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
