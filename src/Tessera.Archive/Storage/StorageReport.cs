using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;

namespace Tessera.Archive.Storage;

/// <summary>One project's share of the storage: its files as listed (a blob shared by several files counts for each).</summary>
public sealed record ProjectStorage(string Slug, string Name, int Files, long Bytes, long UploadingBytes);

/// <summary>The whole site's storage: blobs as stored once each, and the disk they are on.</summary>
public sealed record SiteStorage(int Blobs, long BlobBytes, long DiskFree, long DiskSize, IReadOnlyList<ProjectStorage> Projects);

/// <summary>Storage used per project and in total, for administrators.</summary>
public sealed class StorageReport(ArchiveDbContext db, IOptions<StorageOptions> options)
{
    public async Task<SiteStorage> ReadAsync(CancellationToken ct)
    {
        var files = await db.Files.AsNoTracking().GroupBy(f => f.ProjectId)
            .Select(g => new { g.Key, Count = g.Count(), Bytes = g.Sum(f => f.Size) })
            .ToDictionaryAsync(x => x.Key, ct);
        var uploading = await db.Uploads.AsNoTracking().Where(u => u.FileId == null).GroupBy(u => u.ProjectId)
            .Select(g => new { g.Key, Bytes = g.Sum(u => u.Offset) })
            .ToDictionaryAsync(x => x.Key, x => x.Bytes, ct);
        var projects = await db.Projects.AsNoTracking().OrderBy(p => p.Slug).Select(p => new { p.Id, p.Slug, p.Name }).ToListAsync(ct);
        var rows = projects
            .Select(p => new ProjectStorage(
                p.Slug, p.Name, files.GetValueOrDefault(p.Id)?.Count ?? 0, files.GetValueOrDefault(p.Id)?.Bytes ?? 0, uploading.GetValueOrDefault(p.Id)))
            .OrderByDescending(p => p.Bytes).ThenBy(p => p.Slug)
            .ToList();
        var blobCount = await db.Blobs.CountAsync(ct);
        var blobBytes = await db.Blobs.SumAsync(b => (long?)b.Size, ct) ?? 0;
        var disk = new DriveInfo(options.Value.ResolveBlobDirectory());
        return new SiteStorage(blobCount, blobBytes, disk.AvailableFreeSpace, disk.TotalSize, rows);
    }
}
