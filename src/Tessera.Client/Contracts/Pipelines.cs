using System.Text.Json;

namespace Tessera.Client.Contracts;

/// <summary>A registered tool version. <see cref="Id"/> is <c>name@version</c>; <see cref="Descriptor"/> comes with a single tool.</summary>
public sealed record ToolDto(
    string Id, string Name, string Version, string? Description, string? Project, string? AssessmentType, string? ContainerImage,
    bool Deprecated, string? DeprecationNote, DateTime CreatedAt, JsonElement? Descriptor = null);

/// <summary>The body of <c>POST .../tools/{tool}/deprecation</c>.</summary>
public sealed record DeprecateToolRequest(bool Deprecated = true, string? Note = null);

/// <summary>
/// The body of <c>POST /api/projects/{p}/jobs</c>: a tool version run on a target (a session or scan
/// path in the project) with its inputs; the run policy overrides the tool's and the site's.
/// </summary>
public sealed record SubmitJobRequest(
    string Tool, string Target, JsonElement? Inputs = null, int? TimeoutSeconds = null, int? MaxAttempts = null,
    int? RetryDelaySeconds = null, string? Executor = null);

/// <summary>A job. <see cref="State"/> is queued, staging, running, finalizing, complete, failed or cancelled; <see cref="History"/> comes with a single job.</summary>
public sealed record JobDto(
    Guid Id, string Project, string Tool, string Target, string State, JsonElement Inputs, string Executor, string? ExecutorId,
    int Attempt, int MaxAttempts, int TimeoutSeconds, int? ExitCode, string? Reason, bool CancelRequested,
    DateTime CreatedAt, DateTime? StartedAt, DateTime? FinishedAt, DateTime UpdatedAt, Guid? AssessmentId,
    IReadOnlyList<JobEventDto>? History = null, string? SubmittedBy = null, Guid? Batch = null, Guid? Trigger = null);

/// <summary>A job's move into a state.</summary>
public sealed record JobEventDto(string State, int Attempt, DateTime At, string? Detail);

/// <summary>An assessment type: its name and the JSON Schema of its values.</summary>
public sealed record AssessmentTypeDto(string Name, JsonElement Schema, string? Description, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The body of <c>PUT /api/assessment-types/{name}</c>.</summary>
public sealed record PutAssessmentTypeRequest(JsonElement Schema, string? Description = null);

/// <summary>Derived values on a session or scan, with the tool version and job that produced them.</summary>
public sealed record AssessmentDto(
    Guid Id, string Type, string Subject, string Session, string? Scan, JsonElement Values, string? Tool, Guid? Job, DateTime CreatedAt);

/// <summary>What <c>tessera job-run</c> on a batch node is asked to do (GET /api/jobs/{id}/run, with the job's token).</summary>
public sealed record JobRunSpecDto(
    Guid Job,
    int Attempt,
    string Tool,
    string Shell,
    string CommandLine,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<JobRunInputDto> Inputs,
    double? MemoryGb,
    int? Cpus);

/// <summary>A file for the tool's input/: fetched from GET /api/jobs/{id}/run/inputs/{path}.</summary>
public sealed record JobRunInputDto(string Path, string Sha256, long Size);

/// <summary>Consecutive pieces of the tool's output: stream 1 is standard output, 2 standard error.</summary>
public sealed record JobRunLogDto(IReadOnlyList<JobRunLogSegmentDto> Segments);

public sealed record JobRunLogSegmentDto(int Stream, string Text);

/// <summary>How the tool ended on the node: its exit code, or why it could not run or its outputs not be sent.</summary>
public sealed record JobRunResultDto(int? ExitCode, string? Error);

/// <summary>A batch run: one tool over many targets, with its jobs' counts by state.</summary>
public sealed record BatchDto(
    Guid Id, string Project, string Tool, string Selection, int Total, int MaxConcurrent, IReadOnlyDictionary<string, int> Counts,
    bool Done, DateTime CreatedAt, DateTime? FinishedAt);

/// <summary>
/// POST /api/projects/{p}/batches: the tool over all sessions of the project, or those of a type, with
/// given custom field values or listed; at scan level over their scans; or, with processedBy, over every
/// target that tool version completed on.
/// </summary>
public sealed record CreateBatchRequest(
    string Tool, JsonElement? Inputs = null, string? Level = null, string? SessionType = null, JsonElement? Fields = null,
    IReadOnlyList<string>? Sessions = null, string? ProcessedBy = null, int? MaxConcurrent = null, int? TimeoutSeconds = null,
    int? MaxAttempts = null, string? Executor = null);

/// <summary>A project's trigger rule.</summary>
public sealed record TriggerDto(
    string Name, string Project, string Tool, string Event, int QuietSeconds, string? Glob, string Level, string? SessionType,
    JsonElement? Fields, JsonElement Inputs, string? Executor, bool Enabled, int Fired, DateTime? LastFiredAt, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>PUT /api/projects/{p}/triggers/{name}: event is session (its files settled for quietSeconds, default 30) or file (one matching glob stored).</summary>
public sealed record PutTriggerRequest(
    string Tool, string Event, int? QuietSeconds = null, string? Glob = null, string? Level = null, string? SessionType = null,
    JsonElement? Fields = null, JsonElement? Inputs = null, string? Executor = null, bool? Enabled = null);

/// <summary>One firing of a rule: the job it made, or why it made none.</summary>
public sealed record TriggerFiringDto(string Key, Guid? Job, string? Skipped, DateTime At);

/// <summary>A project's pipeline settings: the executor of its jobs whose tool names none, and the site's executors.</summary>
public sealed record PipelineSettingsDto(string? Executor, IReadOnlyList<string> Executors);

public sealed record PutPipelineSettingsRequest(string? Executor);
