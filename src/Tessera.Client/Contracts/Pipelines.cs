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
    IReadOnlyList<JobEventDto>? History = null);

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
