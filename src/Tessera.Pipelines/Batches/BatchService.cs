using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Pipelines.Jobs;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;
using Tessera.Pipelines.Triggers;

namespace Tessera.Pipelines.Batches;

/// <summary>
/// Batch runs: one job per chosen target, made at once and queued; the dispatcher runs at most the
/// batch's limit of them at a time. Progress and the summary are the counts of its jobs' states.
/// </summary>
public sealed class BatchService(ArchiveDbContext db, AccessService access, JobService jobs, ToolService tools, JobSignal signal, TimeProvider clock)
{
    public const int MaxTargets = 100_000;

    public async Task<BatchView> CreateAsync(Caller caller, string project, BatchRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Write, ct);
        var (tool, definition) = await jobs.RunnableToolAsync(caller, project, request.Tool, ct);
        var invocation = Invocation.Resolve(definition.Descriptor, request.Inputs);
        var level = request.Level ?? "session";
        if (level is not ("session" or "scan"))
            throw TesseraException.Invalid($"level is session or scan, not '{level}'.");
        var maxConcurrent = request.MaxConcurrent ?? 4;
        if (maxConcurrent is < 1 or > 1000)
            throw TesseraException.Invalid($"maxConcurrent must be from 1 to 1000, not {maxConcurrent}.");
        var (targets, selection) = await TargetsAsync(caller, projectAccess.Project, request, level, ct);
        if (targets.Count == 0)
            throw TesseraException.Invalid($"No {level}s of project {project} match ({selection}): nothing to run.");
        if (targets.Count > MaxTargets)
            throw TesseraException.Invalid($"{targets.Count} targets match; a batch runs at most {MaxTargets} (narrow the selection).");

        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new Batch
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectAccess.Project.Id,
            ToolId = tool.Id,
            Selection = selection.Length > 1024 ? selection[..1021] + "..." : selection,
            Inputs = JsonSerializer.Serialize(invocation.Values),
            MaxConcurrent = maxConcurrent,
            Total = targets.Count,
            CreatedBy = caller.UserId,
            CreatedAt = now,
        };
        db.Batches.Add(batch);
        var policy = new JobRequest(request.Tool, "", request.Inputs, request.TimeoutSeconds, request.MaxAttempts, null, request.Executor);
        foreach (var target in targets)
        {
            var job = jobs.NewJob(caller, projectAccess.Project, tool, definition, invocation, policy, target.Path, target.SessionId, target.ScanId);
            job.BatchId = batch.Id;
            db.Jobs.Add(job);
            jobs.AddSubmittedEvent(job, caller, $"batch {batch.Id} by {caller.Username}");
        }
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return await GetAsync(caller, batch.Id, ct);
    }

    public async Task<BatchView> GetAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var found = await (
            from b in db.Batches.AsNoTracking()
            join p in access.Readable(caller) on b.ProjectId equals p.Id
            join t in db.Tools.AsNoTracking() on b.ToolId equals t.Id
            where b.Id == id
            select new { Batch = b, Project = p.Slug, Tool = t.Name + "@" + t.Version }).FirstOrDefaultAsync(ct)
            ?? throw TesseraException.NotFound("Batch");
        return await ViewAsync(found.Batch, found.Project, found.Tool, ct);
    }

    public async Task<Page<BatchView>> ListAsync(Caller caller, string project, Paging paging, CancellationToken ct)
    {
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Read, ct);
        var query =
            from b in db.Batches.AsNoTracking()
            join t in db.Tools.AsNoTracking() on b.ToolId equals t.Id
            where b.ProjectId == projectAccess.Project.Id
            orderby b.CreatedAt descending
            select new { Batch = b, Tool = t.Name + "@" + t.Version };
        var page = await paging.ApplyAsync(query, ct);
        var views = new List<BatchView>(page.Items.Count);
        foreach (var row in page.Items)
            views.Add(await ViewAsync(row.Batch, project, row.Tool, ct));
        return new Page<BatchView>(views, page.Total, page.Offset, page.Limit);
    }

    /// <summary>Cancels every job of the batch that has not ended (queued ones at once, running ones by their nodes).</summary>
    public async Task<BatchView> CancelAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var view = await GetAsync(caller, id, ct);
        await access.RequireAsync(view.Project, caller, AccessLevel.Write, ct);
        var open = await db.Jobs.AsNoTracking().Where(j => j.BatchId == id && !JobStates.Final.Contains(j.State)).Select(j => j.Id).ToListAsync(ct);
        foreach (var job in open)
            await jobs.CancelAsync(caller, job, ct);
        return await GetAsync(caller, id, ct);
    }

    private async Task<BatchView> ViewAsync(Batch batch, string project, string tool, CancellationToken ct)
    {
        var counts = await db.Jobs.AsNoTracking().Where(j => j.BatchId == batch.Id).GroupBy(j => j.State)
            .Select(g => new { State = g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.State, x => x.Count, ct);
        var all = JobStates.All.ToDictionary(s => s, s => counts.GetValueOrDefault(s), StringComparer.Ordinal);
        DateTime? finished = null;
        if (all.Where(c => !JobStates.IsFinal(c.Key)).Sum(c => c.Value) == 0)
            finished = await db.Jobs.AsNoTracking().Where(j => j.BatchId == batch.Id).MaxAsync(j => j.FinishedAt, ct);
        return new BatchView(batch, project, tool, all, finished);
    }

    private sealed record Target(string Path, Guid SessionId, Guid? ScanId);

    private async Task<(List<Target> Targets, string Selection)> TargetsAsync(Caller caller, Project project, BatchRequest request, string level, CancellationToken ct)
    {
        var fields = SessionFilter.Normalize(request.Fields);
        var words = new List<string>();
        var sessions =
            from s in db.Sessions.AsNoTracking()
            join sub in db.Subjects.AsNoTracking() on s.SubjectId equals sub.Id
            where s.ProjectId == project.Id
            select new { s.Id, s.Type, s.Fields, Path = "subjects/" + sub.Label + "/sessions/" + s.Label };
        if (request.SessionType is { } type)
        {
            sessions = sessions.Where(s => s.Type == type);
            words.Add($"type {type}");
        }
        var chosen = await sessions.ToListAsync(ct);
        if (fields is not null)
        {
            chosen = chosen.Where(s => SessionFilter.Matches(s.Fields, fields)).ToList();
            words.Add($"fields {fields}");
        }
        if (request.Sessions is { Count: > 0 } listed)
        {
            var wanted = listed.Select(p => JobTarget.Parse(p).Path).ToHashSet(StringComparer.Ordinal);
            chosen = chosen.Where(s => wanted.Contains(s.Path)).ToList();
            words.Add($"{listed.Count} listed session(s)");
        }

        if (request.ProcessedBy is { } earlier)
        {
            // The targets the earlier version completed on, at their own level, within the chosen sessions.
            var (old, _) = await tools.GetAsync(caller, earlier, ct);
            var ids = chosen.Select(s => s.Id).ToHashSet();
            var done = await db.Jobs.AsNoTracking()
                .Where(j => j.ProjectId == project.Id && j.ToolId == old.Id && j.State == JobStates.Complete)
                .Select(j => new { j.Target, j.SessionId, j.ScanId }).Distinct().ToListAsync(ct);
            words.Insert(0, $"every target {old.Name}@{old.Version} completed on");
            return (done.Where(d => ids.Contains(d.SessionId)).DistinctBy(d => d.Target).OrderBy(d => d.Target, StringComparer.Ordinal)
                .Select(d => new Target(d.Target, d.SessionId, d.ScanId)).ToList(), string.Join(", ", words));
        }
        words.Insert(0, level == "scan" ? "every scan of the sessions" : "all sessions");
        var selection = string.Join(", ", words);
        if (level == "session")
            return (chosen.OrderBy(s => s.Path, StringComparer.Ordinal).Select(s => new Target(s.Path, s.Id, null)).ToList(), selection);
        var sessionIds = chosen.Select(s => s.Id).ToList();
        var paths = chosen.ToDictionary(s => s.Id, s => s.Path);
        var scans = await db.Scans.AsNoTracking().Where(x => sessionIds.Contains(x.SessionId)).Select(x => new { x.Id, x.SessionId, x.Label }).ToListAsync(ct);
        return (scans.Select(x => new Target($"{paths[x.SessionId]}/scans/{x.Label}", x.SessionId, x.Id)).OrderBy(t => t.Path, StringComparer.Ordinal).ToList(), selection);
    }
}
