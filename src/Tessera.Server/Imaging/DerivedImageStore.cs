using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;

namespace Tessera.Server.Imaging;

/// <summary>
/// Keeps what is made from stored images (thumbnails, pyramids): their blobs, leased like any other so the sweeper
/// keeps them while their source lives, and their rows in <c>derived_images</c>, one per source and kind.
/// </summary>
public sealed class DerivedImageStore(ArchiveDbContext db, IBlobStore blobs, TimeProvider clock)
{
    /// <summary>Leases the staged blob's row, then makes the blob durable; returns its key.</summary>
    public async Task<string> StoreAsync(IStagedBlob staged, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(staged);
        var now = clock.GetUtcNow().UtcDateTime;
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO blobs (key, size, created_at, leased_at) VALUES ({staged.Key}, {staged.Size}, {now}, {now}) ON CONFLICT (key) DO UPDATE SET leased_at = excluded.leased_at",
            ct);
        await staged.CommitAsync(ct);
        return staged.Key;
    }

    public async Task<string> StoreAsync(byte[] content, CancellationToken ct)
    {
        await using var staged = await blobs.StageAsync(new MemoryStream(content), ct);
        return await StoreAsync(staged, ct);
    }

    /// <summary>Writes the row of (source, kind), replacing what was there.</summary>
    public async Task RecordAsync(string source, string kind, string? key, string state, int progress, string? error, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var message = error is { Length: > 1000 } ? error[..1000] : error;
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO derived_images (source_key, kind, blob_key, state, progress, error, created_at, updated_at)
            VALUES ({source}, {kind}, {key}, {state}, {progress}, {message}, {now}, {now})
            ON CONFLICT (source_key, kind) DO UPDATE SET blob_key = excluded.blob_key, state = excluded.state,
                progress = excluded.progress, error = excluded.error, updated_at = excluded.updated_at
            """,
            ct);
    }
}
