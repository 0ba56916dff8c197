using System.Collections.Concurrent;
using Tessera.Pipelines.Executors;

namespace Tessera.Pipelines.Jobs;

/// <summary>A file of the job's target, as <c>tessera job-run</c> fetches it into input/.</summary>
public sealed record StagedInput(string Path, string Sha256, long Size);

/// <summary>
/// A job this node runs through an executor on another machine: what <c>tessera job-run</c> there
/// asks for (the command, the inputs) and where what it sends lands (the log, output/, its result).
/// </summary>
public sealed class RemoteJob(ExecutionSpec spec, int attempt, IReadOnlyList<StagedInput> inputs, string outputDirectory, IJobOutput log)
{
    private readonly TaskCompletionSource _contacted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<ExecutionResult> _reported = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ExecutionSpec Spec { get; } = spec;

    public int Attempt { get; } = attempt;

    public IReadOnlyList<StagedInput> Inputs { get; } = inputs;

    /// <summary>This node's output/ for the job: uploads land here and are finalized as a local job's are.</summary>
    public string OutputDirectory { get; } = outputDirectory;

    public IJobOutput Log { get; } = log;

    /// <summary>Completes when job-run first asks for the job: the tool is about to start.</summary>
    public Task Contacted => _contacted.Task;

    /// <summary>Completes when job-run reports how the tool ended (after its outputs were sent).</summary>
    public Task<ExecutionResult> Reported => _reported.Task;

    public void MarkContacted() => _contacted.TrySetResult();

    public void Report(ExecutionResult result) => _reported.TrySetResult(result);
}

/// <summary>The jobs this node runs elsewhere, by id; the job-run endpoints answer only for these.</summary>
public sealed class RemoteJobs
{
    private readonly ConcurrentDictionary<Guid, RemoteJob> _jobs = new();

    public void Add(RemoteJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        _jobs[job.Spec.JobId] = job;
    }

    public void Remove(Guid id) => _jobs.TryRemove(id, out _);

    public RemoteJob? Find(Guid id) => _jobs.GetValueOrDefault(id);
}
