using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;

namespace Tessera.Archive.Hierarchy;

public sealed partial class HierarchyService
{
    public async Task<Page<Session>> ListSessionsAsync(ProjectAccess access, string subject, Paging paging, CancellationToken ct)
    {
        var parent = await GetSubjectAsync(access, subject, ct);
        return await paging.ApplyAsync(
            db.Sessions.AsNoTracking().Where(s => s.SubjectId == parent.Id).OrderBy(s => s.Label), ct);
    }

    public async Task<Session> GetSessionAsync(ProjectAccess access, string subject, string session, CancellationToken ct)
    {
        var parent = await GetSubjectAsync(access, subject, ct);
        return await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.SubjectId == parent.Id && s.Label == session, ct)
               ?? throw TesseraException.NotFound($"Session '{session}' of subject '{subject}'");
    }

    public async Task<(Session Entity, bool Created)> PutSessionAsync(
        ProjectAccess access, string subject, string label, EntityWrite write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(write);
        access.RequireWrite();
        Labels.Validate(label, "session label");
        ValidateType(write.Type);
        var parent = await GetSubjectAsync(access, subject, ct);
        return await UpsertAsync(
            () => db.Sessions.FirstOrDefaultAsync(s => s.SubjectId == parent.Id && s.Label == label, ct),
            async () =>
            {
                var session = new Session
                {
                    Id = Guid.CreateVersion7(),
                    ProjectId = access.Project.Id,
                    SubjectId = parent.Id,
                    Label = label,
                    Type = write.Type,
                    Date = write.Date,
                    Description = write.Description,
                    Fields = await fields.ValidateAsync(access.Project, EntityType.Session, write.Fields),
                    CreatedAt = Now,
                    UpdatedAt = Now,
                };
                db.Sessions.Add(session);
                AppendChange(access, ChangeKinds.SessionCreated, session.Id, SessionPath(subject, label));
                return session;
            },
            async session =>
            {
                session.Type = write.Type ?? session.Type;
                session.Date = write.Date ?? session.Date;
                session.Description = write.Description ?? session.Description;
                if (write.Fields is not null)
                {
                    session.Fields = await fields.ValidateAsync(access.Project, EntityType.Session, write.Fields);
                }
                session.UpdatedAt = Now;
            },
            ct);
    }

    public async Task DeleteSessionAsync(ProjectAccess access, string subject, string label, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        access.RequireWrite();
        var session = await GetSessionAsync(access, subject, label, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Sessions.Where(s => s.Id == session.Id).ExecuteDeleteAsync(ct);
        AppendChange(access, ChangeKinds.SessionDeleted, session.Id, SessionPath(subject, label));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static void ValidateType(string? type)
    {
        if (type is not null && (type.Length is 0 or > 64 || type.Any(char.IsControl)))
        {
            throw TesseraException.Invalid("type must be 1 to 64 printable characters.");
        }
    }
}
