using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Files;

/// <summary>Resources and files: resolving owners, listing, reading and deleting. Writes go through the ingest path.</summary>
public sealed class FileService(ArchiveDbContext db, HierarchyService hierarchy, IBlobStore blobs, TimeProvider clock)
{
    public async Task<ResolvedOwner> ResolveAsync(ProjectAccess access, FileOwner owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Scan is not null)
        {
            var scan = await hierarchy.GetScanAsync(access, owner.Subject!, owner.Session!, owner.Scan, ct);
            var session = await db.Sessions.AsNoTracking().FirstAsync(s => s.Id == scan.SessionId, ct);
            return new ResolvedOwner(owner, scan.Id, session.SubjectId, session.Id, scan.Id);
        }
        if (owner.Session is not null)
        {
            var session = await hierarchy.GetSessionAsync(access, owner.Subject!, owner.Session, ct);
            return new ResolvedOwner(owner, session.Id, session.SubjectId, session.Id, null);
        }
        if (owner.Subject is not null)
        {
            var subject = await hierarchy.GetSubjectAsync(access, owner.Subject, ct);
            return new ResolvedOwner(owner, subject.Id, subject.Id, null, null);
        }
        return new ResolvedOwner(owner, access.Project.Id, null, null, null);
    }

    public async Task<IReadOnlyList<ResourceSummary>> ListResourcesAsync(ProjectAccess access, FileOwner owner, CancellationToken ct)
    {
        var resolved = await ResolveAsync(access, owner, ct);
        return await db.Resources.AsNoTracking()
            .Where(r => r.OwnerId == resolved.OwnerId)
            .OrderBy(r => r.Label)
            .Select(r => new ResourceSummary(
                r.Label,
                db.Files.Count(f => f.ResourceId == r.Id),
                db.Files.Where(f => f.ResourceId == r.Id).Sum(f => (long?)f.Size) ?? 0))
            .ToListAsync(ct);
    }

    /// <summary>File count and total size of each scan of a session, for scan tables.</summary>
    public async Task<IReadOnlyDictionary<Guid, (int Files, long Bytes)>> TotalsByScanAsync(Guid sessionId, CancellationToken ct)
    {
        var totals = await db.Resources.AsNoTracking()
            .Where(r => r.SessionId == sessionId && r.ScanId != null)
            .Join(db.Files, r => r.Id, f => f.ResourceId, (r, f) => new { ScanId = r.ScanId!.Value, f.Size })
            .GroupBy(x => x.ScanId)
            .Select(g => new { g.Key, Files = g.Count(), Bytes = g.Sum(x => x.Size) })
            .ToListAsync(ct);
        return totals.ToDictionary(t => t.Key, t => (t.Files, t.Bytes));
    }

    /// <summary>
    /// The path and media type of files of the session's scans (not of <paramref name="except"/>), at most
    /// <paramref name="limit"/>: enough for a page to tell which scans hold something to show, without reading them.
    /// </summary>
    public Task<List<(Guid ScanId, string Path, string MediaType)>> ScanFilesAsync(Guid sessionId, IReadOnlySet<Guid> except, int limit, CancellationToken ct)
    {
        var excluded = except.ToList();
        return db.Resources.AsNoTracking()
            .Where(r => r.SessionId == sessionId && r.ScanId != null && !excluded.Contains(r.ScanId!.Value))
            .Join(db.Files, r => r.Id, f => f.ResourceId, (r, f) => new ValueTuple<Guid, string, string>(r.ScanId!.Value, f.Path, f.MediaType))
            .Take(limit)
            .ToListAsync(ct);
    }

    public async Task<Page<StoredFile>> ListFilesAsync(
        ProjectAccess access, FileOwner owner, string resource, Paging paging, CancellationToken ct)
    {
        var found = await GetResourceAsync(access, owner, resource, ct);
        return await paging.ApplyAsync(
            db.Files.AsNoTracking().Where(f => f.ResourceId == found.Id).OrderBy(f => f.Path), ct);
    }

    public async Task<StoredFile> GetFileAsync(
        ProjectAccess access, FileOwner owner, string resource, string path, CancellationToken ct)
    {
        var found = await GetResourceAsync(access, owner, resource, ct);
        return await db.Files.AsNoTracking().FirstOrDefaultAsync(f => f.ResourceId == found.Id && f.Path == path, ct)
               ?? throw TesseraException.NotFound($"File '{path}' in resource '{resource}'");
    }

    public Task<Stream> OpenAsync(StoredFile file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        return blobs.OpenReadAsync(file.Sha256, ct);
    }

    public async Task DeleteFileAsync(ProjectAccess access, FileOwner owner, string resource, string path, CancellationToken ct)
    {
        access.RequireWrite();
        var file = await GetFileAsync(access, owner, resource, path, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Files.Where(f => f.Id == file.Id).ExecuteDeleteAsync(ct);
        AppendChange(access, ChangeKinds.FileDeleted, file.Id, $"{owner.PathPrefix}resources/{resource}/files/{path}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    public async Task DeleteResourceAsync(ProjectAccess access, FileOwner owner, string resource, CancellationToken ct)
    {
        access.RequireWrite();
        var found = await GetResourceAsync(access, owner, resource, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Resources.Where(r => r.Id == found.Id).ExecuteDeleteAsync(ct);
        AppendChange(access, ChangeKinds.ResourceDeleted, found.Id, $"{owner.PathPrefix}resources/{resource}");
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Every file of a session and its scans, with the path each takes inside a session archive.</summary>
    public async Task<IReadOnlyList<(string ArchivePath, StoredFile File)>> ListSessionFilesAsync(
        ProjectAccess access, string subject, string session, CancellationToken ct)
    {
        var found = await hierarchy.GetSessionAsync(access, subject, session, ct);
        var rows = await (
                from f in db.Files.AsNoTracking()
                join r in db.Resources.AsNoTracking() on f.ResourceId equals r.Id
                join s in db.Scans.AsNoTracking() on r.ScanId equals s.Id into scans
                from s in scans.DefaultIfEmpty()
                where r.SessionId == found.Id
                select new { File = f, Resource = r.Label, Scan = s == null ? null : s.Label })
            .ToListAsync(ct);
        var root = $"{subject}/{session}/";
        return rows
            .Select(x => (root + (x.Scan is null ? "" : $"scans/{x.Scan}/") + $"{x.Resource}/{x.File.Path}", x.File))
            .OrderBy(x => x.Item1, StringComparer.Ordinal)
            .ToList();
    }

    private async Task<Resource> GetResourceAsync(ProjectAccess access, FileOwner owner, string resource, CancellationToken ct)
    {
        var resolved = await ResolveAsync(access, owner, ct);
        return await db.Resources.AsNoTracking().FirstOrDefaultAsync(r => r.OwnerId == resolved.OwnerId && r.Label == resource, ct)
               ?? throw TesseraException.NotFound($"Resource '{resource}'");
    }

    private void AppendChange(ProjectAccess access, string kind, Guid entityId, string path) =>
        db.Changes.Add(new Change
        {
            At = clock.GetUtcNow().UtcDateTime, Kind = kind, ProjectId = access.Project.Id, EntityId = entityId, Path = path,
        });
}
