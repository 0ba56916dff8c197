namespace Tessera.Archive.Data;

/// <summary>
/// A project's rule that runs a tool by itself: when a session's files have settled (no new file for
/// <see cref="QuietSeconds"/>), or when a file matching <see cref="FileGlob"/> is stored.
/// </summary>
public sealed class TriggerRule
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    /// <summary>Unique in its project.</summary>
    public required string Name { get; set; }
    public Guid ToolId { get; set; }
    /// <summary><c>session</c> (its files settled) or <c>file</c> (a matching file stored).</summary>
    public required string Event { get; set; }
    public int QuietSeconds { get; set; }
    /// <summary>For <c>file</c> rules: a glob over the file's path in the session, as input/ shows it (<c>scans/1/DICOM/*.dcm</c>).</summary>
    public string? FileGlob { get; set; }
    /// <summary>What the job runs on: <c>session</c>, or <c>scan</c> (the scan of the file, for <c>file</c> rules).</summary>
    public required string Level { get; set; }
    /// <summary>Only sessions of this type (MR, OCT...), when set.</summary>
    public string? SessionType { get; set; }
    /// <summary>Only sessions whose custom fields have these values: a JSON object of field to value.</summary>
    public string? SessionFields { get; set; }
    /// <summary>The job's inputs, as JSON.</summary>
    public required string Inputs { get; set; }
    public string? Executor { get; set; }
    public bool Enabled { get; set; }
    /// <summary>The last change-log sequence this rule has examined (moved only by a conditional update: one node fires it).</summary>
    public long Cursor { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>One firing of a rule, unique per rule and key (a file, or a session's quiet point): the guard of "exactly once".</summary>
public sealed class TriggerFiring
{
    public long Id { get; set; }
    public Guid RuleId { get; set; }
    public required string Key { get; set; }
    public Guid? JobId { get; set; }
    /// <summary>Why no job was made (the rule's creator may no longer run tools on the project, say).</summary>
    public string? Skipped { get; set; }
    public DateTime At { get; set; }
}
