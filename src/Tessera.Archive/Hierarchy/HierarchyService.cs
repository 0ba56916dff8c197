using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.CustomFields;
using Tessera.Archive.Data;

namespace Tessera.Archive.Hierarchy;

/// <summary>
/// Subjects, sessions and scans: idempotent create-or-update, reads and cascading deletes.
/// Concurrent creates of the same label end in one row: the loser of the unique index retries
/// as an update.
/// </summary>
public sealed partial class HierarchyService(ArchiveDbContext db, CustomFieldValidator fields, TimeProvider clock)
{
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private void AppendChange(ProjectAccess access, string kind, Guid entityId, string path) =>
        db.Changes.Add(new Change { At = Now, Kind = kind, ProjectId = access.Project.Id, EntityId = entityId, Path = path });

    /// <summary>Runs a create-or-update, retrying once as an update when a concurrent writer created the row first.</summary>
    private async Task<(T Entity, bool Created)> UpsertAsync<T>(
        Func<Task<T?>> find, Func<Task<T>> create, Func<T, Task> update, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await find();
            try
            {
                if (existing is null)
                {
                    var created = await create();
                    await db.SaveChangesAsync(ct);
                    return (created, true);
                }
                await update(existing);
                await db.SaveChangesAsync(ct);
                return (existing, false);
            }
            catch (DbUpdateException e) when (attempt == 0 && DatabaseErrors.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
        }
    }

    internal static string SubjectPath(string subject) => $"subjects/{subject}";

    internal static string SessionPath(string subject, string session) => $"subjects/{subject}/sessions/{session}";

    internal static string ScanPath(string subject, string session, string scan) =>
        $"subjects/{subject}/sessions/{session}/scans/{scan}";
}
