using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Pipelines.Jobs;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// Runs jobs on a Slurm cluster: each job is one <c>sbatch</c> submission whose batch script runs
/// <c>tessera job-run</c> on the node it lands on. That fetches the inputs, runs the tool (sandboxed
/// there too when bubblewrap is installed), streams its log and sends its outputs back over HTTP
/// with the job's token, so no filesystem is shared with the server. The job is tracked with
/// <c>scontrol show job</c> and stopped with <c>scancel</c>.
/// </summary>
public sealed partial class SlurmExecutor(IOptions<PipelineOptions> options, RemoteJobs remote, ILogger<SlurmExecutor> logger) : IJobExecutor
{
    // Slurm's states in which the job may still run (squeue's long names).
    private static readonly HashSet<string> Active = new(StringComparer.Ordinal)
    {
        "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "RESIZING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT", "STOPPED",
    };

    public string Name => "slurm";

    public bool RunsElsewhere => true;

    private SlurmExecutorOptions Slurm => options.Value.Slurm;

    public async Task<ExecutionResult> RunAsync(ExecutionSpec spec, IJobOutput output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        var job = remote.Find(spec.JobId) ?? throw new InvalidOperationException($"Job {spec.JobId} is not registered as run elsewhere.");
        var submitted = await SlurmCommand.RunAsync(Slurm, "sbatch", SbatchArguments(spec), BatchScript(spec), CancellationToken.None);
        if (submitted.ExitCode != 0 || !long.TryParse(submitted.Output.Split(';')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var slurmId))
            return new ExecutionResult(null, $"sbatch refused the job: {submitted.Problem}");
        var id = slurmId.ToString(CultureInfo.InvariantCulture);
        output.Write(2, $"[tessera] submitted to Slurm as job {id}{(Partition(spec) is { } p ? $" in partition {p}" : "")}\n");
        LogSubmitted(spec.JobId, id);
        var started = false;
        try
        {
            while (true)
            {
                if (!started && job.Contacted.IsCompleted)
                {
                    started = true;
                    spec.Started(id);
                }
                if (job.Reported.IsCompleted)
                    return await job.Reported;
                // Before the tool starts, Slurm is asked often (a job refused or failed at once ends the wait
                // quickly); once it runs, job-run's report ends it, and Slurm is asked only to notice a lost node.
                var delay = Task.Delay(started ? Slurm.RunningPollMilliseconds : Slurm.PollMilliseconds, ct);
                await Task.WhenAny(job.Reported, started ? delay : Task.WhenAny(job.Contacted, delay));
                ct.ThrowIfCancellationRequested();
                if (job.Reported.IsCompleted || !started && job.Contacted.IsCompleted)
                    continue;
                var (state, exit, reason) = await StateAsync(id);
                if (state is not null && Active.Contains(state))
                    continue;
                // Ended (or forgotten): a report may still be on its way.
                await Task.WhenAny(job.Reported, Task.Delay(TimeSpan.FromSeconds(2), ct));
                ct.ThrowIfCancellationRequested();
                if (job.Reported.IsCompleted)
                    return await job.Reported;
                var what = state is null ? "is no longer known to Slurm" : $"ended in state {state}{(exit is null ? "" : $" (exit code {exit})")}{(reason is null or "None" ? "" : $", {reason}")}";
                return new ExecutionResult(null, $"the Slurm job {id} {what} before tessera job-run reported the tool's end" +
                    (job.Contacted.IsCompleted ? "" : " (job-run never reached the server: is Pipelines:ServerUrl reachable from the nodes, and Pipelines:Slurm:Command right?)"));
            }
        }
        catch (OperationCanceledException)
        {
            await CancelAsync(id, spec.JobId);
            return new ExecutionResult(null, "stopped");
        }
    }

    private async Task CancelAsync(string id, Guid job)
    {
        await SlurmCommand.RunAsync(Slurm, "scancel", ["--full", id], null, CancellationToken.None);
        LogCancelled(job, id);
        // Wait (bounded) until Slurm has stopped it: the tool and its job-run are gone when this returns.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var (state, _, _) = await StateAsync(id);
            if (state is null || !Active.Contains(state))
                return;
            await Task.Delay(Slurm.PollMilliseconds);
        }
    }

    /// <summary>The job's state, exit code (<c>N:S</c>) and reason by <c>scontrol show job</c>; no state once Slurm forgot it.</summary>
    private async Task<(string? State, string? Exit, string? Reason)> StateAsync(string id)
    {
        var shown = await SlurmCommand.RunAsync(Slurm, "scontrol", ["show", "job", "--oneliner", id], null, CancellationToken.None);
        if (shown.ExitCode != 0)
            return (null, null, null);
        var fields = shown.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(f => f.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        return (fields.GetValueOrDefault("JobState"), fields.GetValueOrDefault("ExitCode"), fields.GetValueOrDefault("Reason"));
    }

    private string? Partition(ExecutionSpec spec) => spec.Partition ?? Slurm.Partition;

    private List<string> SbatchArguments(ExecutionSpec spec)
    {
        var args = new List<string>
        {
            "--parsable", "--job-name", $"tessera-{spec.Tool}", "--output", Slurm.OutputFile, "--export", "NONE", "--chdir", Slurm.NodeDirectory,
            "--ntasks", "1", "--cpus-per-task", (spec.Cpus ?? 1).ToString(CultureInfo.InvariantCulture),
            // Tessera stops the tool at its timeout; Slurm's limit is the backstop a minute later.
            "--time", ((spec.TimeoutSeconds + 59) / 60 + 1).ToString(CultureInfo.InvariantCulture),
        };
        if (spec.WalltimeSeconds is > 0 and var estimate)
            args.AddRange(["--time-min", Math.Max(1, (int)Math.Ceiling(estimate / 60)).ToString(CultureInfo.InvariantCulture)]);
        if (spec.MemoryGb is > 0 and var memory)
            args.AddRange(["--mem", $"{(long)Math.Ceiling(memory * 1024)}M"]);
        if (Partition(spec) is { } partition)
            args.AddRange(["--partition", partition]);
        if (Slurm.Account is { Length: > 0 } account)
            args.AddRange(["--account", account]);
        args.AddRange(Slurm.ExtraArguments);
        return args;
    }

    /// <summary>The batch script: a minimal environment (the server's own is not passed on), the token, and job-run.</summary>
    private string BatchScript(ExecutionSpec spec)
    {
        var script = new StringBuilder();
        script.Append("#!/bin/sh\n");
        // A line break in the comment would start a line of the script.
        script.Append("# Tessera job ").Append(spec.JobId).Append(" (").Append(spec.Tool.ReplaceLineEndings(" ")).Append(")\n");
        script.Append("export PATH=").Append(Quote(Slurm.NodePath)).Append('\n');
        script.Append("export HOME=\"${HOME:-/tmp}\" LANG=C.UTF-8\n");
        script.Append("export TESSERA_JOB_TOKEN=").Append(Quote(spec.Environment["TESSERA_TOKEN"])).Append('\n');
        script.Append("exec ").Append(Slurm.ResolveCommand()).Append(" job-run --url ").Append(Quote(spec.Environment["TESSERA_URL"]))
            .Append(" --job ").Append(spec.JobId).Append(" --work-dir ").Append(Quote(Slurm.NodeDirectory))
            .Append(" --sandbox ").Append(Quote(Slurm.Sandbox)).Append(" --network ").Append(Quote(Slurm.Network)).Append(" --run-as ").Append(Quote(Slurm.RunAsUser)).Append('\n');
        return script.ToString();
    }

    internal static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [LoggerMessage(EventId = 1407, Level = LogLevel.Information, Message = "Job {Job} submitted to Slurm as job {SlurmJob}")]
    private partial void LogSubmitted(Guid job, string slurmJob);

    [LoggerMessage(EventId = 1408, Level = LogLevel.Information, Message = "Job {Job}: Slurm job {SlurmJob} cancelled")]
    private partial void LogCancelled(Guid job, string slurmJob);
}

/// <summary>Runs one Slurm command (sbatch, scontrol, scancel) with the site's SLURM_CONF.</summary>
internal static class SlurmCommand
{
    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string Problem => $"{(Error.Trim().Length > 0 ? Error.Trim() : Output.Trim())} (exit code {ExitCode})";
    }

    public static async Task<Outcome> RunAsync(SlurmExecutorOptions slurm, string program, IEnumerable<string> args, string? input, CancellationToken ct)
    {
        var start = new ProcessStartInfo
        {
            FileName = Path.Combine(slurm.BinDirectory ?? "", program),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        if (slurm.Conf is { Length: > 0 } conf)
            start.Environment["SLURM_CONF"] = conf;
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return new Outcome(-1, "", $"{program} could not be run: {e.Message} (is Slurm's client installed, and Pipelines:Slurm:BinDirectory right?)");
        }
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
            await process.StandardInput.WriteAsync(input.AsMemory(), ct);
        process.StandardInput.Close();
        await process.WaitForExitAsync(ct);
        return new Outcome(process.ExitCode, await output, await error);
    }
}
