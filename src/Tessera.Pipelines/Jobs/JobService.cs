using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Jobs;

/// <summary>Submits, shows, lists and cancels jobs. Members of a project run tools on it; its readers see its jobs.</summary>
public sealed partial class JobService(
    ArchiveDbContext db,
    AccessService access,
    FileService files,
    ToolService tools,
    ExecutorCatalog executors,
    JobSignal signal,
    IOptions<PipelineOptions> options,
    TimeProvider clock)
{
    public async Task<JobView> SubmitAsync(Caller caller, string project, JobRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Write, ct);
        var (tool, definition) = await RunnableToolAsync(caller, project, request.Tool, ct);
        var owner = JobTarget.Parse(request.Target);
        var resolved = await files.ResolveAsync(projectAccess, owner, ct);
        var invocation = Invocation.Resolve(definition.Descriptor, request.Inputs);
        var job = NewJob(caller, projectAccess.Project, tool, definition, invocation, request, owner.Path, resolved.SessionId!.Value, resolved.ScanId);
        db.Jobs.Add(job);
        AddSubmittedEvent(job, caller);
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return new JobView(job, project, $"{tool.Name}@{tool.Version}", caller.Username);
    }

    /// <summary>A tool the caller may run on <paramref name="project"/>: site-wide or the project's own, not deprecated.</summary>
    public async Task<(Tool Tool, ToolDefinition Definition)> RunnableToolAsync(Caller caller, string project, string? key, CancellationToken ct)
    {
        var (tool, toolProject) = await tools.GetAsync(caller, key ?? "", ct);
        if (toolProject is not null && toolProject != project)
        {
            throw TesseraException.NotFound($"Tool {key}");
        }
        if (tool.Deprecated)
        {
            throw TesseraException.Conflict($"Tool {key} is deprecated{(tool.DeprecationNote is { } note ? $": {note}" : "")}; run a newer version.");
        }
        return (tool, await DescriptorReader.ReadAsync(tool.Descriptor));
    }

    /// <summary>
    /// A queued job (not yet added): its executor is the request's, else the tool's, the project's, the
    /// site's; its run policy the request's, else the tool's, the site's.
    /// </summary>
    public Job NewJob(Caller caller, Project project, Tool tool, ToolDefinition definition, Invocation invocation, JobRequest request,
        string target, Guid sessionId, Guid? scanId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(request);
        var executor = request.Executor ?? definition.Executor ?? project.JobExecutor ?? options.Value.DefaultExecutor;
        if (!executors.Has(executor))
        {
            throw TesseraException.Invalid($"There is no executor '{executor}' on this site (it has {string.Join(", ", executors.Names)}).");
        }
        var site = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        return new Job
        {
            Id = Guid.CreateVersion7(),
            ProjectId = project.Id,
            ToolId = tool.Id,
            Target = target,
            SessionId = sessionId,
            ScanId = scanId,
            Inputs = System.Text.Json.JsonSerializer.Serialize(invocation.Values),
            State = JobStates.Queued,
            Executor = executor,
            MaxAttempts = Within(request.MaxAttempts ?? definition.MaxAttempts ?? site.DefaultMaxAttempts, 1, 100, "maxAttempts"),
            RetryDelaySeconds = Within(request.RetryDelaySeconds ?? definition.RetryDelaySeconds ?? site.DefaultRetryDelaySeconds, 0, 24 * 3600, "retryDelaySeconds"),
            TimeoutSeconds = Within(request.TimeoutSeconds ?? definition.TimeoutSeconds ?? site.DefaultTimeoutSeconds, 1, 30 * 24 * 3600, "timeoutSeconds"),
            SubmittedBy = caller.UserId,
            CreatedAt = now,
            NotBefore = now,
            UpdatedAt = now,
        };
    }

    /// <summary>The first row of a new job's history.</summary>
    public void AddSubmittedEvent(Job job, Caller caller, string? how = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(caller);
        db.JobEvents.Add(new JobEvent { JobId = job.Id, State = JobStates.Queued, At = job.CreatedAt, Detail = how ?? $"submitted by {caller.Username ?? "anonymous"}" });
    }

    public async Task<JobView> GetAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var found = await Rows(caller).FirstOrDefaultAsync(v => v.Job.Id == id, ct);
        return found?.View ?? throw TesseraException.NotFound("Job");
    }

    /// <summary>A project's jobs, newest first, optionally of one state, tool (name or name@version) or target (and what lies under it).</summary>
    public async Task<Page<JobView>> ListAsync(Caller caller, string project, string? state, string? tool, string? target, Paging paging, CancellationToken ct, Guid? batch = null)
    {
        var projectAccess = await access.RequireAsync(project, caller, AccessLevel.Read, ct);
        var query = Rows(caller).Where(v => v.Job.ProjectId == projectAccess.Project.Id);
        if (state is not null)
        {
            if (!JobStates.All.Contains(state))
                throw TesseraException.Invalid($"A job's state is one of {string.Join(", ", JobStates.All)}, not '{state}'.");
            query = query.Where(v => v.Job.State == state);
        }
        if (tool is not null)
            query = tool.Contains('@', StringComparison.Ordinal) ? query.Where(v => v.Tool == tool) : query.Where(v => v.Tool.StartsWith(tool + "@"));
        if (batch is { } batchId)
            query = query.Where(v => v.Job.BatchId == batchId);
        if (target is not null)
        {
            var path = target.Trim('/');
            query = query.Where(v => v.Job.Target == path || v.Job.Target.StartsWith(path + "/"));
        }
        var page = await paging.ApplyAsync(query.OrderByDescending(v => v.Job.CreatedAt), ct);
        return new Page<JobView>(page.Items.Select(r => r.View).ToList(), page.Total, page.Offset, page.Limit);
    }

    /// <summary>
    /// Cancels a job: a queued one at once; a running one is stopped by the node that holds it, which
    /// then records it cancelled. A finished job stays as it ended.
    /// </summary>
    public async Task<JobView> CancelAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var view = await GetAsync(caller, id, ct);
        await access.RequireAsync(view.Project, caller, AccessLevel.Write, ct);
        if (JobStates.IsFinal(view.Job.State))
        {
            return view; // it stays as it ended
        }
        var now = clock.GetUtcNow().UtcDateTime;
        var reason = $"cancelled by {caller.Username}";
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var queued = await db.Jobs.Where(j => j.Id == id && j.State == JobStates.Queued).ExecuteUpdateAsync(s => s
            .SetProperty(j => j.State, JobStates.Cancelled).SetProperty(j => j.Reason, reason)
            .SetProperty(j => j.CancelRequested, true).SetProperty(j => j.FinishedAt, now).SetProperty(j => j.UpdatedAt, now), ct);
        if (queued == 1)
        {
            db.JobEvents.Add(new JobEvent { JobId = id, State = JobStates.Cancelled, Attempt = view.Job.Attempt, At = now, Detail = reason });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            await db.Jobs.Where(j => j.Id == id && !JobStates.Final.Contains(j.State)).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.CancelRequested, true).SetProperty(j => j.Reason, reason).SetProperty(j => j.UpdatedAt, now), ct);
        }
        await tx.CommitAsync(ct);
        return await GetAsync(caller, id, ct);
    }

    public async Task<IReadOnlyList<JobEvent>> EventsAsync(Caller caller, Guid id, CancellationToken ct)
    {
        await GetAsync(caller, id, ct);
        return await db.JobEvents.AsNoTracking().Where(e => e.JobId == id).OrderBy(e => e.Id).ToListAsync(ct);
    }

    /// <summary>The jobs of projects the caller reads (a member-initialised row, so that queries compose on it).</summary>
    private IQueryable<JobRow> Rows(Caller caller) =>
        from j in db.Jobs.AsNoTracking()
        join p in access.Readable(caller) on j.ProjectId equals p.Id
        join t in db.Tools.AsNoTracking() on j.ToolId equals t.Id
        join u in db.Users.AsNoTracking() on j.SubmittedBy equals u.Id into users
        from u in users.DefaultIfEmpty()
        select new JobRow { Job = j, Project = p.Slug, Tool = t.Name + "@" + t.Version, SubmittedBy = u == null ? null : u.Username };

    private sealed class JobRow
    {
        public required Job Job { get; init; }
        public required string Project { get; init; }
        public required string Tool { get; init; }
        public string? SubmittedBy { get; init; }
        public JobView View => new(Job, Project, Tool, SubmittedBy);
    }

    private static int Within(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw TesseraException.Invalid($"{name} must be from {min} to {max}, not {value}.");
}
