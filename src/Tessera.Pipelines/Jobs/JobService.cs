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
        var (tool, toolProject) = await tools.GetAsync(caller, request.Tool ?? "", ct);
        if (toolProject is not null && toolProject != project)
        {
            throw TesseraException.NotFound($"Tool {request.Tool}");
        }
        if (tool.Deprecated)
        {
            throw TesseraException.Conflict($"Tool {request.Tool} is deprecated{(tool.DeprecationNote is { } note ? $": {note}" : "")}; run a newer version.");
        }
        var definition = await DescriptorReader.ReadAsync(tool.Descriptor);
        var owner = JobTarget.Parse(request.Target);
        var resolved = await files.ResolveAsync(projectAccess, owner, ct);
        var invocation = Invocation.Resolve(definition.Descriptor, request.Inputs);
        var executor = request.Executor ?? options.Value.DefaultExecutor;
        if (!executors.Has(executor))
        {
            throw TesseraException.Invalid($"There is no executor '{executor}' on this site (it has {string.Join(", ", executors.Names)}).");
        }
        var site = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var job = new Job
        {
            Id = Guid.CreateVersion7(),
            ProjectId = projectAccess.Project.Id,
            ToolId = tool.Id,
            Target = owner.Path,
            SessionId = resolved.SessionId!.Value,
            ScanId = resolved.ScanId,
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
        db.Jobs.Add(job);
        db.JobEvents.Add(new JobEvent { JobId = job.Id, State = JobStates.Queued, At = now, Detail = $"submitted by {caller.Username ?? "anonymous"}" });
        await db.SaveChangesAsync(ct);
        signal.Wake();
        return new JobView(job, project, $"{tool.Name}@{tool.Version}");
    }

    public async Task<JobView> GetAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var found = await Rows(caller).FirstOrDefaultAsync(v => v.Job.Id == id, ct);
        return found?.View ?? throw TesseraException.NotFound("Job");
    }

    /// <summary>A project's jobs, newest first, optionally of one state, tool (name or name@version) or target (and what lies under it).</summary>
    public async Task<Page<JobView>> ListAsync(Caller caller, string project, string? state, string? tool, string? target, Paging paging, CancellationToken ct)
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
        select new JobRow { Job = j, Project = p.Slug, Tool = t.Name + "@" + t.Version };

    private sealed class JobRow
    {
        public required Job Job { get; init; }
        public required string Project { get; init; }
        public required string Tool { get; init; }
        public JobView View => new(Job, Project, Tool);
    }

    private static int Within(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw TesseraException.Invalid($"{name} must be from {min} to {max}, not {value}.");
}
