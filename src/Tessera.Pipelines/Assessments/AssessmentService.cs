using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Pipelines.Assessments;

/// <summary>Assessments of a project: recorded by jobs from their results.json, listed per session, queried by their values.</summary>
public sealed class AssessmentService(ArchiveDbContext db, AccessService access, TimeProvider clock)
{
    /// <summary>Records values of a type on a session or scan (validated against the type's schema); not saved until the caller saves.</summary>
    public async Task<Assessment> AddAsync(Job job, Tool tool, string type, string valuesJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(tool);
        var assessmentType = await db.AssessmentTypes.AsNoTracking().FirstOrDefaultAsync(t => t.Name == type, ct)
                             ?? throw TesseraException.Invalid($"The tool fills in assessment type '{type}', which no longer exists.");
        await AssessmentTypeService.ValidateAsync(assessmentType, valuesJson);
        var subject = await db.Sessions.AsNoTracking().Where(s => s.Id == job.SessionId).Select(s => s.SubjectId).FirstAsync(ct);
        var assessment = new Assessment
        {
            Id = Guid.CreateVersion7(),
            ProjectId = job.ProjectId,
            SubjectId = subject,
            SessionId = job.SessionId,
            ScanId = job.ScanId,
            Type = type,
            Values = valuesJson,
            ToolName = tool.Name,
            ToolVersion = tool.Version,
            JobId = job.Id,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Assessments.Add(assessment);
        return assessment;
    }

    /// <summary>
    /// A project's assessments, newest first: of one type, on one session (<c>subjects/S/sessions/E</c>
    /// and its scans), whose values meet every condition.
    /// </summary>
    public async Task<Page<AssessmentView>> QueryAsync(
        Caller caller, string project, string? type, string? session, IReadOnlyList<AssessmentFilter> where, Paging paging, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(where);
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Read, ct);
        var rows =
            from a in db.Assessments.AsNoTracking()
            join su in db.Subjects.AsNoTracking() on a.SubjectId equals su.Id
            join se in db.Sessions.AsNoTracking() on a.SessionId equals se.Id
            join sc in db.Scans.AsNoTracking() on a.ScanId equals sc.Id into scans
            from sc in scans.DefaultIfEmpty()
            where a.ProjectId == projectAccess.Project.Id
            select new { Assessment = a, Subject = su.Label, Session = se.Label, Scan = sc == null ? null : sc.Label };
        if (type is not null)
            rows = rows.Where(r => r.Assessment.Type == type);
        if (session is not null)
        {
            var owner = Jobs.JobTarget.Parse(session);
            rows = rows.Where(r => r.Subject == owner.Subject && r.Session == owner.Session && (owner.Scan == null || r.Scan == owner.Scan));
        }
        rows = rows.OrderByDescending(r => r.Assessment.CreatedAt);
        if (where.Count == 0)
        {
            var page = await paging.ApplyAsync(rows, ct);
            return new Page<AssessmentView>(page.Items.Select(r => new AssessmentView(r.Assessment, r.Subject, r.Session, r.Scan)).ToList(), page.Total, page.Offset, page.Limit);
        }
        // Conditions on values are checked here, row by row as they stream from the database.
        var matched = new List<AssessmentView>();
        var total = 0;
        await foreach (var r in rows.AsAsyncEnumerable().WithCancellation(ct))
        {
            using var values = JsonDocument.Parse(r.Assessment.Values);
            if (!where.All(w => w.Matches(values.RootElement)))
                continue;
            if (total >= paging.Offset && matched.Count < paging.Limit)
                matched.Add(new AssessmentView(r.Assessment, r.Subject, r.Session, r.Scan));
            total++;
        }
        return new Page<AssessmentView>(matched, total, paging.Offset, paging.Limit);
    }
}
