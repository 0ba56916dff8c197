using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Audit;

/// <summary>Reads the audit log; entries are written by the <see cref="AuditWriter"/>.</summary>
public sealed class AuditService(ArchiveDbContext db, AccessService access, AuditWriter writer)
{
    /// <summary>Admins read the whole log; a project owner reads the entries of that project, including those still queued.</summary>
    public async Task<Page<AuditEntry>> QueryAsync(
        Caller caller, string? project, string? user, DateTime? since, DateTime? until, Paging paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (project is not null)
        {
            await access.RequireAsync(project, caller, AccessLevel.Manage, ct);
        }
        else if (!caller.IsAuthenticated)
        {
            throw TesseraException.Unauthenticated();
        }
        else if (!caller.IsAdmin)
        {
            throw TesseraException.Forbidden("Only administrators read the whole audit log; project owners add ?project=ID.");
        }
        await writer.FlushAsync(ct);
        var query = db.AuditEntries.AsNoTracking();
        if (project is not null)
        {
            query = query.Where(a => a.Project == project);
        }
        if (user is not null)
        {
            query = query.Where(a => a.Username == user);
        }
        if (since is { } from)
        {
            query = query.Where(a => a.At >= from);
        }
        if (until is { } to)
        {
            query = query.Where(a => a.At < to);
        }
        return await paging.ApplyAsync(query.OrderByDescending(a => a.Id), ct);
    }
}
