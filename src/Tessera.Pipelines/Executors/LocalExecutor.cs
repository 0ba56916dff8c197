using System.Diagnostics;
using System.Globalization;
using System.Text;
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

    public bool Sandboxed => options.Value.Local.Sandbox switch
    {
        "none" => false,
        "bwrap" => true,
        _ => Sandbox.IsAvailable,
    };

    public async Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var local = options.Value.Local;
        if (local.Sandbox == "bwrap" && !Sandbox.IsAvailable)
            return new ExecutionResult(null, "the sandbox is required (Pipelines:Local:Sandbox = bwrap) but bubblewrap is not installed (apt-get install bubblewrap)");
        var start = new ProcessStartInfo
        {
            FileName = Sandbox.Find("prlimit") ?? "prlimit",
            WorkingDirectory = spec.Workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var memory = (long)((spec.MemoryGb ?? local.DefaultMemoryGb) * 1024 * 1024 * 1024);
        foreach (var limit in new[] { $"--as={memory}", $"--nofile={local.MaxOpenFiles}", "--core=0", "--" })
            start.ArgumentList.Add(limit);
        if (Sandboxed)
        {
            start.ArgumentList.Add(Sandbox.Find("bwrap")!);
            var hidden = new[] { Path.GetFullPath(storage.Value.DataDirectory), storage.Value.ResolveBlobDirectory() };
            foreach (var arg in Sandbox.Arguments(spec.Workspace, spec.Shell, spec.CommandLine, local.Network, hidden, socket.Path))
                start.ArgumentList.Add(arg);
        }
        else
        {
            start.ArgumentList.Add(spec.Shell);
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(spec.CommandLine);
        }
        start.Environment.Clear();
        foreach (var (key, value) in spec.Environment)
            start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new ExecutionResult(null, $"the tool could not be started: {e.Message}");
        }
        spec.Started(process.Id.ToString(CultureInfo.InvariantCulture));
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
            Kill(process, spec.JobId);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        await reading;
        return new ExecutionResult(process.ExitCode);
    }

    private void Kill(Process process, Guid job)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }
        LogStopped(job, process.Id);
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

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Job {Job}: stopped its process {Pid} and everything it started")]
    private partial void LogStopped(Guid job, int pid);
}
