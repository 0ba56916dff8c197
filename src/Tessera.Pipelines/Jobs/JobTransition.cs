using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// A move of a job from one state to another by the node that holds it: applied only while the job
/// is still in <see cref="From"/> under that node's lease (a node that lost its job, because its lease
/// ran out and another node took over, changes nothing), and recorded in the job's history.
/// </summary>
public sealed record JobTransition(string From, string To, string? Detail = null)
{
    public int? ExitCode { get; init; }
    public string? Reason { get; init; }
    public string? ExecutorId { get; init; }
    public Guid? AssessmentId { get; init; }
    public DateTime? NotBefore { get; init; }
    public bool Started { get; init; }

    /// <summary>True when applied; false when the job is no longer this node's to move.</summary>
    public async Task<bool> ApplyAsync(ArchiveDbContext db, Job job, string node, DateTime now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(job);
        var final = JobStates.IsFinal(To);
        var requeued = To == JobStates.Queued;
        // The move and its history row together: a reader never sees the one without the other.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Jobs.Where(j => j.Id == job.Id && j.LeaseOwner == node && j.State == From).ExecuteUpdateAsync(s =>
        {
            s.SetProperty(j => j.State, To).SetProperty(j => j.UpdatedAt, now);
            if (ExitCode is { } code)
                s.SetProperty(j => j.ExitCode, code);
            if (Reason is not null)
                s.SetProperty(j => j.Reason, Reason);
            if (ExecutorId is not null)
                s.SetProperty(j => j.ExecutorId, ExecutorId);
            if (AssessmentId is { } assessment)
                s.SetProperty(j => j.AssessmentId, assessment);
            if (Started)
                s.SetProperty(j => j.StartedAt, now);
            if (final)
                s.SetProperty(j => j.FinishedAt, now);
            if (NotBefore is { } notBefore)
                s.SetProperty(j => j.NotBefore, notBefore);
            if (final || requeued)
                s.SetProperty(j => j.LeaseOwner, (string?)null).SetProperty(j => j.LeaseExpiresAt, (DateTime?)null);
        }, ct);
        if (changed == 0)
            return false;
        job.State = To;
        db.JobEvents.Add(new JobEvent { JobId = job.Id, State = To, Attempt = job.Attempt, At = now, Detail = Detail ?? Reason });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
