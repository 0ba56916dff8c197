using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Tessera.Pipelines.Executors;

/// <summary>How a tool's process is confined: on the server (the local executor) or on a Slurm node (<c>tessera job-run</c>).</summary>
/// <param name="Sandbox"><c>auto</c>, <c>bwrap</c> or <c>none</c>, as <see cref="LocalExecutorOptions.Sandbox"/>.</param>
/// <param name="Hidden">Folders the tool must not see.</param>
/// <param name="ApiSocket">The Unix socket that carries the API into a sandbox whose network is <c>server</c>.</param>
public sealed record Confinement(string Sandbox, string Network, double DefaultMemoryGb, int MaxOpenFiles, IReadOnlyList<string> Hidden, string? ApiSocket)
{
    /// <summary>The host account tools run as when this process is root (<see cref="ToolUser"/>).</summary>
    public string RunAsUser { get; init; } = ToolUser.DefaultName;

    /// <summary>More host folders a sandboxed tool sees, read-only.</summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];

    /// <summary>Whether tools run in bubblewrap: <c>bwrap</c> and <c>auto</c> do (auto refuses to run them when bubblewrap is missing); only <c>none</c> does not.</summary>
    public bool Sandboxed => Sandbox != "none";

    /// <summary>Why no tool can run under this confinement here, or null.</summary>
    public string? Refusal()
    {
        if (Sandboxed && !Executors.Sandbox.IsAvailable)
            return Sandbox == "bwrap"
                ? "the sandbox is required (Sandbox = bwrap) but bubblewrap is not installed (apt-get install bubblewrap)"
                : "bubblewrap is not installed, and Sandbox = auto never runs a tool unconfined: install bubblewrap (apt-get install bubblewrap), or set the sandbox to none to run tools unconfined";
        if (ToolUser.Needed && ToolUser.Find(RunAsUser) is null)
            return $"this process runs as root and tools never do, but the tool user {RunAsUser} does not exist: create it ({ToolUser.CreateCommand(RunAsUser)}; ./tessera does) or name another unprivileged account";
        return null;
    }
}

/// <summary>
/// Runs one tool as a process with limits on memory and open files (prlimit), in a bubblewrap
/// sandbox when the confinement asks for one, its output passed on as it comes; cancelling stops
/// it and everything it started.
/// </summary>
public static class SandboxedProcess
{
    /// <param name="stopped">Told the process id when the run was cancelled and the process tree killed.</param>
    public static async Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, Confinement confinement, Action<int>? stopped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(confinement);
        if (confinement.Refusal() is { } refusal)
            return new ExecutionResult(null, refusal);
        var start = new ProcessStartInfo { FileName = Sandbox.Find("prlimit") ?? "prlimit", WorkingDirectory = spec.Workspace };
        var memory = (long)((spec.MemoryGb ?? confinement.DefaultMemoryGb) * 1024 * 1024 * 1024);
        foreach (var limit in new[] { $"--as={memory}", $"--nofile={confinement.MaxOpenFiles}", "--core=0", "--" })
            start.ArgumentList.Add(limit);
        // Beside the workspace, not in it: the tool reads it (through its shell) but cannot replace it.
        var environment = spec.Workspace + ".environment";
        ToolEnvironment.Write(environment, spec.Environment);
        try
        {
            if (ToolUser.Needed)
            {
                var user = ToolUser.Find(confinement.RunAsUser)!;
                user.Prepare(spec.Workspace, environment);
                if (!confinement.Sandboxed)
                {
                    // Unconfined, the tool still gets a PID namespace of its own: when its shell ends, the kernel
                    // ends whatever it left running, so nothing of it is alive while its outputs are read as root.
                    start.ArgumentList.Add(Sandbox.Find("unshare") ?? "unshare");
                    foreach (var arg in new[] { "--pid", "--fork", "--kill-child", "--" })
                        start.ArgumentList.Add(arg);
                }
                start.ArgumentList.Add(Sandbox.Find("setpriv") ?? "setpriv");
                foreach (var arg in user.SetprivArguments())
                    start.ArgumentList.Add(arg);
            }
            if (confinement.Sandboxed)
            {
                start.ArgumentList.Add(Sandbox.Find("bwrap")!);
                foreach (var arg in Sandbox.Arguments(spec.Workspace, spec.Shell, spec.CommandLine, confinement.Network, confinement.ReadOnlyPaths, confinement.Hidden, confinement.ApiSocket, environment))
                    start.ArgumentList.Add(arg);
            }
            else
            {
                output.Write(2, $"tessera: this tool runs unconfined (the sandbox is set to none){(ToolUser.Needed ? $", as {confinement.RunAsUser}" : "")}\n");
                foreach (var arg in new[] { "/bin/sh", "-c", ToolEnvironment.LoadThenRun(environment), spec.Shell, spec.CommandLine })
                    start.ArgumentList.Add(arg);
            }
            // The launchers (root, when the server is) never see the tool's environment.
            start.Environment.Clear();
            foreach (var (key, value) in ToolEnvironment.Launcher)
                start.Environment[key] = value;

            return await RunAsync(start, spec.Started, output, stopped, ct);
        }
        finally
        {
            File.Delete(environment);
        }
    }

    /// <summary>
    /// Runs a prepared process to its end, its output and error passed on as they come; cancelling
    /// kills it and everything it started. <paramref name="started"/> is told its process id.
    /// </summary>
    public static async Task<ExecutionResult> RunAsync(ProcessStartInfo start, Action<string> started, IJobOutput output, Action<int>? stopped, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(output);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ExecutionResult(null, $"{Path.GetFileName(start.FileName)} could not be started: {e.Message}");
        }
        started(process.Id.ToString(CultureInfo.InvariantCulture));
        process.StandardInput.Close();
        var reading = Task.WhenAll(
            PumpAsync(process.StandardOutput.BaseStream, 1, output),
            PumpAsync(process.StandardError.BaseStream, 2, output));
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended on its own meanwhile.
            }
            stopped?.Invoke(process.Id);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        await reading;
        return new ExecutionResult(process.ExitCode);
    }

    /// <summary>Passes what a stream carries on as text as it comes (UTF-8, a character split between reads kept whole).</summary>
    private static async Task PumpAsync(Stream stream, int number, IJobOutput output)
    {
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[16384];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        int read;
        while ((read = await stream.ReadAsync(bytes)) > 0)
        {
            var count = decoder.GetChars(bytes, 0, read, chars, 0, flush: false);
            if (count > 0)
                output.Write(number, new string(chars, 0, count));
        }
    }
}
