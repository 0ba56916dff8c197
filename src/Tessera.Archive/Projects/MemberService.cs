using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;

namespace Tessera.Archive.Projects;

public sealed class MemberService(ArchiveDbContext db, AccessService access, TimeProvider clock)
{
    public async Task<IReadOnlyList<(string Username, ProjectRole Role)>> ListAsync(Caller caller, string slug, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Read, ct);
        var rows = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.ProjectId == cleared.Project.Id)
            .OrderBy(m => m.User!.Username)
            .Select(m => new { m.User!.Username, m.Role })
            .ToListAsync(ct);
        return rows.Select(r => (r.Username, r.Role)).ToList();
    }

    public async Task<bool> SetAsync(Caller caller, string slug, string username, ProjectRole role, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        if (role == ProjectRole.None)
        {
            throw TesseraException.Invalid("role must be owner, member or collaborator.");
        }
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, ct)
                   ?? throw TesseraException.NotFound($"User '{username}'");
        var member = await db.ProjectMembers.FirstOrDefaultAsync(m => m.ProjectId == cleared.Project.Id && m.UserId == user.Id, ct);
        var created = member is null;
        if (member is null)
        {
            db.ProjectMembers.Add(new ProjectMember
            {
                ProjectId = cleared.Project.Id, UserId = user.Id, Role = role, CreatedAt = clock.GetUtcNow().UtcDateTime,
            });
        }
        else
        {
            if (member.Role == ProjectRole.Owner && role != ProjectRole.Owner)
            {
                await EnsureAnotherOwnerAsync(cleared.Project.Id, user.Id, ct);
            }
            member.Role = role;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw TesseraException.Conflict($"'{username}' was added to the project at the same moment; try again.");
        }
        return created;
    }

    public async Task RemoveAsync(Caller caller, string slug, string username, CancellationToken ct)
    {
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        var member = await db.ProjectMembers.Include(m => m.User)
                         .FirstOrDefaultAsync(m => m.ProjectId == cleared.Project.Id && m.User!.Username == username, ct)
                     ?? throw TesseraException.NotFound($"Member '{username}'");
        if (member.Role == ProjectRole.Owner)
        {
            await EnsureAnotherOwnerAsync(cleared.Project.Id, member.UserId, ct);
        }
        db.ProjectMembers.Remove(member);
        await db.SaveChangesAsync(ct);
    }

    private async Task EnsureAnotherOwnerAsync(Guid projectId, Guid leaving, CancellationToken ct)
    {
        if (!await db.ProjectMembers.AnyAsync(m => m.ProjectId == projectId && m.Role == ProjectRole.Owner && m.UserId != leaving, ct))
        {
            throw TesseraException.Conflict("A project keeps at least one owner: make someone else owner first.");
        }
    }
}
