namespace Tessera.Archive.Data;

/// <summary>
/// One run of a tool version on one target (a session or a scan) with its inputs. Any node may
/// claim a queued job; the claimant holds a lease that it renews while the job runs, so a job whose
/// node is gone is noticed and retried or failed. Its transitions are kept in <see cref="JobEvent"/>.
/// </summary>
public sealed class Job
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ToolId { get; set; }
    /// <summary>The target as a path in its project: <c>subjects/S/sessions/E</c> or <c>.../scans/N</c>.</summary>
    public required string Target { get; set; }
    public Guid SessionId { get; set; }
    public Guid? ScanId { get; set; }
    /// <summary>The invocation: input id to value, as JSON.</summary>
    public required string Inputs { get; set; }
    public required string State { get; set; }
    public required string Executor { get; set; }
    /// <summary>The executor's own handle (a process id, a Slurm job id).</summary>
    public string? ExecutorId { get; set; }
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }
    public int RetryDelaySeconds { get; set; }
    public int TimeoutSeconds { get; set; }
    public int? ExitCode { get; set; }
    /// <summary>Why the job failed, or was cancelled or retried, in words.</summary>
    public string? Reason { get; set; }
    public bool CancelRequested { get; set; }
    public Guid? SubmittedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>A queued job is not claimed before this (the back-off before a retry).</summary>
    public DateTime NotBefore { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>The node that holds the job while it is staged, run and finalized.</summary>
    public string? LeaseOwner { get; set; }
    public DateTime? LeaseExpiresAt { get; set; }
    public Guid? AssessmentId { get; set; }
    /// <summary>The batch run that made the job, if any.</summary>
    public Guid? BatchId { get; set; }
    /// <summary>The trigger rule that made the job, if any.</summary>
    public Guid? TriggerId { get; set; }
}
