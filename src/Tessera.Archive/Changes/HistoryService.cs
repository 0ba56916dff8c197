using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;

namespace Tessera.Archive.Changes;

/// <summary>What happened to an entity and everything below it, newest first, from the change log.</summary>
public sealed class HistoryService(ArchiveDbContext db)
{
    public async Task<IReadOnlyList<Change>> ListAsync(ProjectAccess access, string path, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        var below = path + "/";
        return await db.Changes.AsNoTracking()
            .Where(c => c.ProjectId == access.Project.Id && (c.Path == path || c.Path.StartsWith(below)))
            .OrderByDescending(c => c.Sequence)
            .Take(limit)
            .ToListAsync(ct);
    }
}
