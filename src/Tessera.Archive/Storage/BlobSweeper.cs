using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;

namespace Tessera.Archive.Storage;

/// <summary>
/// Deletes blobs that no file references once their lease is older than the grace period, and
/// abandoned temporary files. Each blob is deleted inside the transaction that removes its row,
/// so an ingest that leases the same key concurrently waits and then re-creates both.
/// </summary>
public sealed partial class BlobSweeper(
    ArchiveDbContext db, IBlobStore store, IOptions<StorageOptions> options, TimeProvider clock, ILogger<BlobSweeper> logger)
{
    private const int BatchSize = 500;

    public async Task<(int Blobs, int Temporary)> SweepAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var temporary = await store.SweepTemporaryAsync(settings.TemporaryMaxAge, ct);
        var cutoff = clock.GetUtcNow().UtcDateTime - settings.OrphanGracePeriod;
        var deleted = 0;
        while (true)
        {
            var candidates = await db.Blobs.AsNoTracking()
                .Where(b => b.LeasedAt < cutoff && !db.Files.Any(f => f.Sha256 == b.Key)
                    && !db.DerivedImages.Any(d => d.BlobKey == b.Key && db.Files.Any(f => f.Sha256 == d.SourceKey)))
                .OrderBy(b => b.LeasedAt)
                .Select(b => b.Key)
                .Take(BatchSize)
                .ToListAsync(ct);
            var deletedThisBatch = 0;
            foreach (var key in candidates)
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var rows = await db.Database.ExecuteSqlAsync(
                    $"DELETE FROM blobs WHERE key = {key} AND leased_at < {cutoff} AND NOT EXISTS (SELECT 1 FROM files WHERE sha256 = {key}) AND NOT EXISTS (SELECT 1 FROM derived_images d WHERE d.blob_key = {key} AND EXISTS (SELECT 1 FROM files WHERE sha256 = d.source_key))",
                    ct);
                if (rows == 1)
                {
                    // What was made from the blob goes with it (its own blobs are swept in turn).
                    await db.Database.ExecuteSqlAsync($"DELETE FROM derived_images WHERE source_key = {key} OR blob_key = {key}", ct);
                    await store.DeleteAsync(key, ct);
                    deletedThisBatch++;
                }
                await tx.CommitAsync(ct);
            }
            deleted += deletedThisBatch;
            if (candidates.Count < BatchSize || deletedThisBatch == 0)
            {
                break;
            }
        }
        if (deleted > 0 || temporary > 0)
        {
            LogSwept(deleted, temporary);
        }
        return (deleted, temporary);
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Swept {Blobs} orphan blobs and {Temporary} abandoned temporary files")]
    private partial void LogSwept(int blobs, int temporary);
}
