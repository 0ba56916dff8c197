namespace Tessera.Pipelines.Executors;

/// <summary>Runs a job's command line in its workspace and reports what it writes; one per kind of machine.</summary>
public interface IJobExecutor
{
    /// <summary>The name jobs and configuration use (<c>local</c>, <c>slurm</c>, <c>container</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Whether the tool runs on another machine (a Slurm node): then nothing is staged here; <c>tessera
    /// job-run</c> there fetches the inputs and sends the log and outputs back over HTTP (<see cref="Jobs.RemoteJobs"/>).
    /// </summary>
    bool RunsElsewhere { get; }

    /// <summary>
    /// Runs <paramref name="spec"/> to its end. Cancelling <paramref name="ct"/> stops the tool
    /// (and everything it started) and returns once it is gone.
    /// </summary>
    Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, CancellationToken ct);
}

/// <summary>Where a running tool's standard output (1) and error (2) go, in the order written.</summary>
public interface IJobOutput
{
    void Write(int stream, string text);
}

/// <param name="Workspace">The job's folder, holding input/ and output/; the tool's working directory.</param>
/// <param name="Shell">The shell that runs <paramref name="CommandLine"/> (the descriptor's, or /bin/sh).</param>
/// <param name="Started">Told the executor's handle (a process id) once the tool runs.</param>
public sealed record ExecutionSpec(
    Guid JobId,
    string Workspace,
    string Shell,
    string CommandLine,
    IReadOnlyDictionary<string, string> Environment,
    double? MemoryGb,
    int? Cpus,
    string? ContainerImage,
    Action<string> Started)
{
    /// <summary>The tool, as <c>name@version</c>.</summary>
    public string Tool { get; init; } = "";

    /// <summary>The job's time limit (Tessera stops the tool then; a batch system is given a little more).</summary>
    public int TimeoutSeconds { get; init; } = 3600;

    /// <summary>The descriptor's walltime estimate, in seconds.</summary>
    public double? WalltimeSeconds { get; init; }

    /// <summary>The Slurm partition the tool asks for.</summary>
    public string? Partition { get; init; }
}

/// <summary>How a run ended: its exit code, or the signal that ended it (as a negative code), or why it never started.</summary>
public sealed record ExecutionResult(int? ExitCode, string? Error = null);
