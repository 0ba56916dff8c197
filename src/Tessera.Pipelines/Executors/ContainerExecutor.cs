using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// Runs jobs in the descriptor's container image with the podman (or docker) CLI on this machine:
/// the image read-only with a private /tmp, the workspace mounted at the same path and the working directory, no network (the Tessera API
/// reachable through the server's Unix socket, mounted at /run/tessera/api.sock), limits on memory,
/// CPUs and open files, the environment passed in a file (not on the command line), and images only
/// from the local store (never pulled).
/// </summary>
public sealed partial class ContainerExecutor(IOptions<PipelineOptions> options, ApiSocket socket, ILogger<ContainerExecutor> logger) : IJobExecutor
{
    /// <summary>Where the server's API socket appears inside the container.</summary>
    public const string InnerSocket = "/run/tessera/api.sock";

    public string Name => "container";

    public bool RunsElsewhere => false;

    private ContainerExecutorOptions Container => options.Value.Container;

    /// <summary>Whether the engine's CLI is installed here.</summary>
    public bool IsAvailable => Sandbox.Find(Container.Engine) is not null || File.Exists(Container.Engine);

    public async Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        if (spec.ContainerImage is not { Length: > 0 } image)
            return new ExecutionResult(null, "the tool names no container image (container-image.image in its descriptor), which the container executor runs");
        var name = $"tessera-{spec.JobId:N}-{Path.GetFileName(spec.Workspace).Split('-').Last()}";
        var envFile = spec.Workspace + ".env";
        var environment = new Dictionary<string, string>(spec.Environment, StringComparer.Ordinal);
        environment.Remove("PATH"); // the image's own
        environment["TESSERA_SOCKET"] = InnerSocket;
        await File.WriteAllLinesAsync(envFile, environment.Select(kv => $"{kv.Key}={kv.Value.Replace('\n', ' ')}"), CancellationToken.None);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(envFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var args = new List<string>();
            if (Container.Runtime is { Length: > 0 } runtime)
                args.AddRange(["--runtime", runtime]);
            args.AddRange(["run", "--rm", "--name", name, "--pull", "never", "--network", Container.Network, "--env-file", envFile,
                "--volume", $"{spec.Workspace}:{spec.Workspace}:rw", "--workdir", spec.Workspace,
                "--memory", $"{(long)Math.Ceiling((spec.MemoryGb ?? Container.DefaultMemoryGb) * 1024)}m",
                "--ulimit", $"nofile={Container.MaxOpenFiles}:{Container.MaxOpenFiles}", "--ulimit", $"nproc={Container.MaxProcesses}:{Container.MaxProcesses}",
                "--security-opt", "no-new-privileges", "--cap-drop", "ALL", "--read-only", "--tmpfs", "/tmp"]);
            if (ToolUser.Needed)
            {
                // Rootful podman would run the image's user, root by default, as host root: the tool gets its own account.
                if (ToolUser.Find(options.Value.Local.RunAsUser) is not { } user)
                    return new ExecutionResult(null, $"the server runs as root and tools never do, but the tool user {options.Value.Local.RunAsUser} does not exist: create it ({ToolUser.CreateCommand(options.Value.Local.RunAsUser)})");
                user.Prepare(spec.Workspace);
                args.AddRange(["--user", $"{user.Uid}:{user.Gid}"]);
            }
            if (spec.Cpus is > 0 and var cpus)
                args.AddRange(["--cpus", cpus.ToString(CultureInfo.InvariantCulture)]);
            if (File.Exists(socket.Path))
                args.AddRange(["--volume", $"{socket.Path}:{InnerSocket}"]);
            args.AddRange(Container.ExtraArguments);
            // "--": whatever a tool registered before image names were checked, it is the image, never an option.
            args.AddRange(["--", image, spec.Shell, "-c", spec.CommandLine]);

            var start = new ProcessStartInfo { FileName = Container.Engine, WorkingDirectory = spec.Workspace };
            foreach (var arg in args)
                start.ArgumentList.Add(arg);
            start.Environment.Clear();
            start.Environment["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME") ?? "/root";
            if (Environment.GetEnvironmentVariable("CONTAINERS_CONF") is { Length: > 0 } conf)
                start.Environment["CONTAINERS_CONF"] = conf;
            var result = await SandboxedProcess.RunAsync(start, spec.Started, output, null, ct);
            if (ct.IsCancellationRequested)
            {
                await RemoveAsync(name);
                LogStopped(spec.JobId, name);
            }
            // podman's own failures (no such image, refused options) are 125; the tool's codes pass through.
            return result.ExitCode == 125 ? new ExecutionResult(null, $"{Container.Engine} could not run the container (exit code 125): see the log") : result;
        }
        finally
        {
            File.Delete(envFile);
        }
    }

    /// <summary>Stops and removes the container (killing the CLI leaves it running).</summary>
    private async Task RemoveAsync(string name)
    {
        var start = new ProcessStartInfo { FileName = Container.Engine, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Container.Runtime is { Length: > 0 } runtime)
        {
            start.ArgumentList.Add("--runtime");
            start.ArgumentList.Add(runtime);
        }
        foreach (var arg in new[] { "rm", "--force", "--time", "2", name })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(CancellationToken.None);
    }

    [LoggerMessage(EventId = 1411, Level = LogLevel.Information, Message = "Job {Job}: container {Container} stopped and removed")]
    private partial void LogStopped(Guid job, string container);
}
