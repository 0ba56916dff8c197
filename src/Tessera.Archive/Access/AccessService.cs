using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;

namespace Tessera.Archive.Access;

/// <summary>
/// The one place that decides whether a caller may touch a project. A private project is
/// indistinguishable from a missing one to anyone without a role on it.
/// </summary>
public sealed class AccessService(ArchiveDbContext db)
{
    public async Task<ProjectAccess> RequireAsync(string slug, Caller caller, AccessLevel need, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Slug == slug, ct);
        if (project is null || (caller.TokenProjectId is { } scope && scope != project.Id))
        {
            throw ProjectNotFound(slug);
        }
        var role = ProjectRole.None;
        if (caller.UserId is { } userId)
        {
            role = await db.ProjectMembers.AsNoTracking()
                .Where(m => m.ProjectId == project.Id && m.UserId == userId)
                .Select(m => m.Role)
                .FirstOrDefaultAsync(ct);
        }
        var access = new ProjectAccess(project, role, caller);
        if (!caller.IsAdmin && role == ProjectRole.None && !project.IsPublic)
        {
            throw ProjectNotFound(slug);
        }
        var allowed = need switch
        {
            AccessLevel.Read => true,
            AccessLevel.Write => access.CanWrite,
            _ => access.CanManage,
        };
        if (!allowed)
        {
            throw caller.IsAuthenticated
                ? TesseraException.Forbidden(need == AccessLevel.Write
                    ? $"Your role on project '{slug}' does not allow changing its data."
                    : $"Only an owner of project '{slug}' may do this.")
                : TesseraException.Unauthenticated();
        }
        return access;
    }

    /// <summary>Whether the caller may read the project (false where <see cref="RequireAsync"/> would refuse).</summary>
    public async Task<bool> CanReadAsync(string slug, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return await Readable(caller).AnyAsync(p => p.Slug == slug, ct);
    }

    /// <summary>The projects the caller may read, as <see cref="RequireAsync"/> decides for one project.</summary>
    public IQueryable<Project> Readable(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var projects = db.Projects.AsNoTracking();
        if (caller.TokenProjectId is { } scope)
        {
            projects = projects.Where(p => p.Id == scope);
        }
        if (caller.IsAdmin)
        {
            return projects;
        }
        var userId = caller.UserId;
        return projects.Where(p => p.IsPublic || (userId != null && db.ProjectMembers.Any(m => m.ProjectId == p.Id && m.UserId == userId)));
    }

    public static TesseraException ProjectNotFound(string slug) => TesseraException.NotFound($"Project '{slug}'");
}
