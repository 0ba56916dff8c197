using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// This node's share of the job queue: it claims queued jobs (a conditional update, so that of
/// several nodes on one database exactly one wins each), runs up to MaxConcurrentJobs at once,
/// renews its leases, stops the jobs users cancel, and takes over jobs whose node stopped renewing
/// theirs: retried while attempts remain, otherwise failed, with the reason. Nothing stays
/// running forever.
/// </summary>
public sealed partial class JobDispatcher(
    IServiceScopeFactory scopes,
    JobRunner runner,
    JobSignal signal,
    IOptions<PipelineOptions> options,
    IOptions<StorageOptions> storage,
    Executors.LocalExecutor local,
    TimeProvider clock,
    ILogger<JobDispatcher> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Guid, (CancellationTokenSource Cancel, Task Run)> _running = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunJobs)
            return;
        await Task.Yield();
        var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var lastRenewal = DateTime.MinValue;
        SweepWorkspaces();
        if (local.Confinement.Refusal() is { } refusal)
            LogToolsRefused(refusal);
        else if (!local.Confinement.Sandboxed)
            LogUnconfined(Executors.ToolUser.Needed ? local.Confinement.RunAsUser : Environment.UserName);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow().UtcDateTime;
                if (now - lastRenewal >= lease / 3)
                {
                    await RenewAsync(now + lease, stoppingToken);
                    await RecoverLostAsync(now, stoppingToken);
                    lastRenewal = now;
                }
                await StopCancelledAsync(stoppingToken);
                await ClaimAsync(now, lease, stoppingToken);
                await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is DbUpdateException or InvalidOperationException or System.Data.Common.DbException or TimeoutException)
            {
                LogQueueError(e);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
        await Task.WhenAll(_running.Values.Select(r => r.Run));
    }

    private async Task ClaimAsync(DateTime now, TimeSpan lease, CancellationToken ct)
    {
        var free = options.Value.MaxConcurrentJobs - _running.Count;
        if (free <= 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        // A batch at its limit of active jobs waits; the rest of the queue goes on meanwhile.
        var active = await (
            from j in db.Jobs.AsNoTracking()
            where j.BatchId != null && JobStates.Active.Contains(j.State)
            group j by j.BatchId into g
            select new { Batch = g.Key!.Value, Count = g.Count() }).ToDictionaryAsync(x => x.Batch, x => x.Count, ct);
        var limits = active.Count == 0 ? [] : await db.Batches.AsNoTracking().Where(b => active.Keys.Contains(b.Id))
            .ToDictionaryAsync(b => b.Id, b => b.MaxConcurrent, ct);
        var saturated = active.Where(a => a.Value >= limits.GetValueOrDefault(a.Key, int.MaxValue)).Select(a => a.Key).ToList();
        var candidates = await db.Jobs.AsNoTracking()
            .Where(j => j.State == JobStates.Queued && j.NotBefore <= now && (j.BatchId == null || !saturated.Contains(j.BatchId.Value)))
            .OrderBy(j => j.NotBefore).ThenBy(j => j.CreatedAt)
            .Select(j => new { j.Id, j.BatchId }).Take(free * 4).ToListAsync(ct);
        foreach (var candidate in candidates)
        {
            if (_running.Count >= options.Value.MaxConcurrentJobs)
                break;
            if (candidate.BatchId is { } batch)
            {
                if (!limits.TryGetValue(batch, out var limit))
                    limits[batch] = limit = await db.Batches.AsNoTracking().Where(b => b.Id == batch).Select(b => b.MaxConcurrent).FirstOrDefaultAsync(ct);
                if (active.GetValueOrDefault(batch) >= limit)
                    continue;
                active[batch] = active.GetValueOrDefault(batch) + 1;
            }
            var id = candidate.Id;
            await using var claim = await db.Database.BeginTransactionAsync(ct);
            var claimed = await db.Jobs.Where(j => j.Id == id && j.State == JobStates.Queued).ExecuteUpdateAsync(s => s
                .SetProperty(j => j.State, JobStates.Staging)
                .SetProperty(j => j.LeaseOwner, signal.NodeId)
                .SetProperty(j => j.LeaseExpiresAt, now + lease)
                .SetProperty(j => j.Attempt, j => j.Attempt + 1)
                .SetProperty(j => j.ExecutorId, (string?)null)
                .SetProperty(j => j.UpdatedAt, now), ct);
            if (claimed == 0)
                continue; // another node was first
            var attempt = await db.Jobs.AsNoTracking().Where(j => j.Id == id).Select(j => j.Attempt).FirstAsync(ct);
            db.JobEvents.Add(new JobEvent { JobId = id, State = JobStates.Staging, Attempt = attempt, At = now, Detail = $"claimed by {signal.NodeId}" });
            await db.SaveChangesAsync(ct);
            await claim.CommitAsync(ct);
            var cancel = new CancellationTokenSource();
            _running[id] = (cancel, Task.Run(async () =>
            {
                try
                {
                    await runner.RunAsync(id, cancel.Token, ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogRunError(e, id);
                }
                finally
                {
                    _running.TryRemove(id, out _);
                    cancel.Dispose();
                    signal.Wake();
                }
            }, CancellationToken.None));
        }
    }

    private async Task RenewAsync(DateTime until, CancellationToken ct)
    {
        if (_running.IsEmpty)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var node = signal.NodeId;
        await db.Jobs.Where(j => j.LeaseOwner == node && JobStates.Active.Contains(j.State))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseExpiresAt, until), ct);
    }

    private async Task StopCancelledAsync(CancellationToken ct)
    {
        if (_running.IsEmpty)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var node = signal.NodeId;
        var cancelled = await db.Jobs.AsNoTracking().Where(j => j.LeaseOwner == node && j.CancelRequested).Select(j => j.Id).ToListAsync(ct);
        foreach (var id in cancelled)
        {
            if (_running.TryGetValue(id, out var run) && !run.Cancel.IsCancellationRequested)
                await run.Cancel.CancelAsync();
        }
    }

    /// <summary>Jobs whose lease ran out: their node is gone or restarted. One node wins each (the update names the lease it saw).</summary>
    private async Task RecoverLostAsync(DateTime now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var lost = await db.Jobs.AsNoTracking()
            .Where(j => JobStates.Active.Contains(j.State) && j.LeaseExpiresAt < now)
            .ToListAsync(ct);
        foreach (var job in lost)
        {
            var reason = job.CancelRequested
                ? job.Reason ?? "cancelled"
                : $"lost: its node ({job.LeaseOwner}) stopped renewing its lease while it was {job.State} (the node is gone or the server restarted)";
            var retry = !job.CancelRequested && job.Attempt < job.MaxAttempts;
            var state = job.CancelRequested ? JobStates.Cancelled : retry ? JobStates.Queued : JobStates.Failed;
            var notBefore = now + TimeSpan.FromSeconds(job.RetryDelaySeconds * Math.Pow(2, job.Attempt - 1));
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var taken = await db.Jobs.Where(j => j.Id == job.Id && j.State == job.State && j.LeaseExpiresAt == job.LeaseExpiresAt).ExecuteUpdateAsync(s =>
            {
                s.SetProperty(j => j.State, state).SetProperty(j => j.Reason, reason).SetProperty(j => j.UpdatedAt, now)
                    .SetProperty(j => j.LeaseOwner, (string?)null).SetProperty(j => j.LeaseExpiresAt, (DateTime?)null);
                if (retry)
                    s.SetProperty(j => j.NotBefore, notBefore);
                else
                    s.SetProperty(j => j.FinishedAt, now);
            }, ct);
            if (taken == 0)
                continue;
            db.JobEvents.Add(new JobEvent { JobId = job.Id, State = state, Attempt = job.Attempt, At = now, Detail = retry ? $"{reason}; retried" : reason });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            LogRecovered(job.Id, job.LeaseOwner, state);
        }
    }

    /// <summary>Workspaces left by a crash of this machine's server (none of them is in use before the first claim).</summary>
    private void SweepWorkspaces()
    {
        var parent = options.Value.WorkDirectory ?? Path.Combine(storage.Value.DataDirectory, "jobs");
        if (!Directory.Exists(parent))
            return;
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var active = db.Jobs.AsNoTracking().Where(j => JobStates.Active.Contains(j.State)).Select(j => j.Id).ToList()
            .Select(id => id.ToString("N")).ToHashSet(StringComparer.Ordinal);
        // Workspaces, their collected outputs and their environment files.
        foreach (var entry in Directory.EnumerateFileSystemEntries(parent))
        {
            var name = Path.GetFileName(entry);
            if (name.Length < 32 || active.Contains(name[..32]))
                continue;
            JobWorkspace.Wipe(entry);
        }
    }

    [LoggerMessage(EventId = 1412, Level = LogLevel.Warning, Message = "Local tools will not run: {Refusal}")]
    private partial void LogToolsRefused(string refusal);

    [LoggerMessage(EventId = 1413, Level = LogLevel.Warning, Message = "Local tools run UNCONFINED (Pipelines:Local:Sandbox = none), as {User}: they can read whatever that account can")]
    private partial void LogUnconfined(string user);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "The job queue could not be read or written; trying again")]
    private partial void LogQueueError(Exception exception);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Error, Message = "Job {Job}: its run ended with an error")]
    private partial void LogRunError(Exception exception, Guid job);

    [LoggerMessage(EventId = 1406, Level = LogLevel.Warning, Message = "Job {Job}: node {Node} stopped renewing its lease; the job is now {State}")]
    private partial void LogRecovered(Guid job, string? node, string state);
}
