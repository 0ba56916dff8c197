using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Files;

namespace Tessera.Archive.Hierarchy;

public sealed partial class HierarchyService
{
    /// <summary>
    /// Creates the subject, session and scan that <paramref name="owner"/> names where they do not
    /// exist yet (an import into a project names them by folder); existing ones are left untouched.
    /// </summary>
    public async Task EnsureOwnerAsync(ProjectAccess access, FileOwner owner, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(owner);
        access.RequireWrite();
        if (owner.Subject is not { } subject)
        {
            return;
        }
        var projectId = access.Project.Id;
        var subjectId = await db.Subjects.Where(s => s.ProjectId == projectId && s.Label == subject).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct)
                        ?? (await PutSubjectAsync(access, subject, new EntityWrite(), ct)).Entity.Id;
        if (owner.Session is not { } session)
        {
            return;
        }
        var sessionId = await db.Sessions.Where(s => s.SubjectId == subjectId && s.Label == session).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct)
                        ?? (await PutSessionAsync(access, subject, session, new EntityWrite(), ct)).Entity.Id;
        if (owner.Scan is { } scan && !await db.Scans.AnyAsync(s => s.SessionId == sessionId && s.Label == scan, ct))
        {
            await PutScanAsync(access, subject, session, scan, new EntityWrite(), ct);
        }
    }
}
