using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive.Storage;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// Runs jobs on this machine: a process per job, in a bubblewrap sandbox where one is available (or
/// required), with limits on memory and open files (prlimit). No image to pull, no VM to boot: the
/// tool starts within milliseconds of its job being claimed.
/// </summary>
public sealed partial class LocalExecutor(
    IOptions<PipelineOptions> options,
    IOptions<StorageOptions> storage,
    ApiSocket socket,
    ILogger<LocalExecutor> logger) : IJobExecutor
{
    public string Name => "local";

    public bool RunsElsewhere => false;

    public Confinement Confinement
    {
        get
        {
            var local = options.Value.Local;
            return new Confinement(local.Sandbox, local.Network, local.DefaultMemoryGb, local.MaxOpenFiles,
                [Path.GetFullPath(storage.Value.DataDirectory), storage.Value.ResolveBlobDirectory()], socket.Path)
            {
                RunAsUser = local.RunAsUser, ReadOnlyPaths = local.ReadOnlyPaths,
            };
        }
    }

    public bool Sandboxed => Confinement.Sandboxed;

    public Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return SandboxedProcess.RunAsync(spec, output, Confinement, pid => LogStopped(spec.JobId, pid), ct);
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Job {Job}: stopped its process {Pid} and everything it started")]
    private partial void LogStopped(Guid job, int pid);
}
