using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;

namespace Tessera.Archive.Hierarchy;

public sealed partial class HierarchyService
{
    public Task<Page<Subject>> ListSubjectsAsync(ProjectAccess access, Paging paging, CancellationToken ct) =>
        ListSubjectsAsync(access, paging, new SubjectQuery(), ct);

    /// <summary>Subjects whose label or custom-field values contain the search text, sorted as asked.</summary>
    public Task<Page<Subject>> ListSubjectsAsync(ProjectAccess access, Paging paging, SubjectQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(query);
        var subjects = db.Subjects.AsNoTracking().Where(s => s.ProjectId == access.Project.Id);
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Lower-cased LIKE: case-insensitive on both providers (PostgreSQL's LIKE is case-sensitive).
            var pattern = "%" + LikePatterns.Escape(query.Search.Trim().ToLowerInvariant()) + "%";
            subjects = subjects.Where(s => EF.Functions.Like(s.Label.ToLower(), pattern, "\\")
                || (s.Fields != null && EF.Functions.Like(s.Fields.ToLower(), pattern, "\\")));
        }
        var ordered = (query.Sort, query.Descending) switch
        {
            (SubjectSort.Created, false) => subjects.OrderBy(s => s.CreatedAt).ThenBy(s => s.Label),
            (SubjectSort.Created, true) => subjects.OrderByDescending(s => s.CreatedAt).ThenBy(s => s.Label),
            (SubjectSort.Updated, false) => subjects.OrderBy(s => s.UpdatedAt).ThenBy(s => s.Label),
            (SubjectSort.Updated, true) => subjects.OrderByDescending(s => s.UpdatedAt).ThenBy(s => s.Label),
            (_, true) => subjects.OrderByDescending(s => s.Label),
            _ => subjects.OrderBy(s => s.Label),
        };
        return paging.ApplyAsync(ordered, ct);
    }

    public async Task<Subject> GetSubjectAsync(ProjectAccess access, string subject, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        return await db.Subjects.AsNoTracking()
                   .FirstOrDefaultAsync(s => s.ProjectId == access.Project.Id && s.Label == subject, ct)
               ?? throw TesseraException.NotFound($"Subject '{subject}'");
    }

    public Task<(Subject Entity, bool Created)> PutSubjectAsync(
        ProjectAccess access, string label, EntityWrite write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(write);
        access.RequireWrite();
        Labels.Validate(label, "subject label");
        var projectId = access.Project.Id;
        return UpsertAsync(
            () => db.Subjects.FirstOrDefaultAsync(s => s.ProjectId == projectId && s.Label == label, ct),
            async () =>
            {
                var subject = new Subject
                {
                    Id = Guid.CreateVersion7(),
                    ProjectId = projectId,
                    Label = label,
                    Description = write.Description,
                    Fields = await fields.ValidateAsync(access.Project, EntityType.Subject, write.Fields),
                    CreatedAt = Now,
                    UpdatedAt = Now,
                };
                db.Subjects.Add(subject);
                AppendChange(access, ChangeKinds.SubjectCreated, subject.Id, SubjectPath(label));
                return subject;
            },
            async subject =>
            {
                subject.Description = write.Description ?? subject.Description;
                if (write.Fields is not null)
                {
                    subject.Fields = await fields.ValidateAsync(access.Project, EntityType.Subject, write.Fields);
                }
                subject.UpdatedAt = Now;
            },
            ct);
    }

    public async Task DeleteSubjectAsync(ProjectAccess access, string label, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        access.RequireWrite();
        var subject = await GetSubjectAsync(access, label, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Subjects.Where(s => s.Id == subject.Id).ExecuteDeleteAsync(ct);
        AppendChange(access, ChangeKinds.SubjectDeleted, subject.Id, SubjectPath(label));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
