using System.Text.Json;

namespace Tessera.Pipelines.Batches;

/// <summary>
/// A run of one tool over many targets of a project: all its sessions, those of a type or with given
/// custom field values, the sessions listed, or every target an earlier tool version completed on.
/// </summary>
/// <param name="Level"><c>session</c>, or <c>scan</c> (each scan of the chosen sessions).</param>
/// <param name="ProcessedBy">A tool (<c>name@version</c>): the targets its jobs completed on, at their own level.</param>
public sealed record BatchRequest(
    string Tool,
    JsonElement? Inputs = null,
    string? Level = null,
    string? SessionType = null,
    JsonElement? Fields = null,
    IReadOnlyList<string>? Sessions = null,
    string? ProcessedBy = null,
    int? MaxConcurrent = null,
    int? TimeoutSeconds = null,
    int? MaxAttempts = null,
    string? Executor = null);

/// <summary>A batch with how far its jobs are: counts by state.</summary>
public sealed record BatchView(Archive.Data.Batch Batch, string Project, string Tool, IReadOnlyDictionary<string, int> Counts, DateTime? FinishedAt)
{
    public bool Done => Counts.Where(c => !Jobs.JobStates.IsFinal(c.Key)).Sum(c => c.Value) == 0;
}
