using System.CommandLine;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Jobs;

namespace Tessera.Cli.Commands.JobRun;

/// <summary>
/// <c>tessera job-run</c>: what a Slurm batch script runs on its node. It fetches the job's command and
/// input files from the server, runs the tool in a node-local workspace (sandboxed as a local job is,
/// where bubblewrap is installed), streams its log, sends output/ back with each file's SHA-256 and
/// reports how it ended. Only HTTP is shared with the server, authenticated by the job's own token.
/// </summary>
internal static class JobRunCommand
{
    /// <summary>The most files output/ may hold (the server's default for Pipelines:MaxOutputFiles).</summary>
    private const int MaxOutputFiles = 100_000;

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "The server that holds the job.", Required = true };
        var job = new Option<Guid>("--job") { Description = "The job's id.", Required = true };
        var workDir = new Option<string>("--work-dir") { Description = "A node-local folder for the workspace.", DefaultValueFactory = _ => Path.GetTempPath() };
        var sandbox = new Option<string>("--sandbox") { Description = "auto (bubblewrap when installed), bwrap (required) or none.", DefaultValueFactory = _ => "auto" };
        var network = new Option<string>("--network") { Description = "A sandboxed tool's network: server (only the Tessera API), none or host.", DefaultValueFactory = _ => "server" };
        var runAs = new Option<string>("--run-as") { Description = "The unprivileged account that runs the tool when job-run runs as root.", DefaultValueFactory = _ => ToolUser.DefaultName };
        var memory = new Option<double>("--memory-gb") { Description = "Address-space limit of a tool whose descriptor suggests no RAM.", DefaultValueFactory = _ => 8 };
        var command = new Command("job-run", "Run one job on this machine for a server that submitted it to a batch system (the token comes from TESSERA_JOB_TOKEN).")
        {
            url, job, workDir, sandbox, network, runAs, memory,
        };
        command.Hidden = true;
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => RunAsync(
            new Uri(result.GetValue(url)!), result.GetValue(job), result.GetValue(workDir)!, result.GetValue(sandbox)!, result.GetValue(network)!, result.GetValue(runAs)!, result.GetValue(memory), ct)));
        return command;
    }

    private static async Task<int> RunAsync(Uri server, Guid job, string workDir, string sandbox, string network, string runAs, double memoryGb, CancellationToken ct)
    {
        if (sandbox is not ("auto" or "bwrap" or "none") || network is not ("server" or "none" or "host"))
            throw new UsageException("--sandbox takes auto, bwrap or none; --network server, none or host.");
        var token = Environment.GetEnvironmentVariable("TESSERA_JOB_TOKEN");
        if (string.IsNullOrEmpty(token))
            throw new UsageException("TESSERA_JOB_TOKEN is not set: job-run is started by the server's batch script, which sets it.");
        // scancel (SIGTERM) and Ctrl-C stop the tool and everything it started.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var client = new TesseraClient(server, token, TimeSpan.FromMinutes(30));
        var spec = await client.GetJobRunAsync(job, stop.Token);
        // A name nobody can guess beforehand: the work folder is often /tmp, where anyone may make a folder or a link of that name first.
        var root = Path.Combine(Path.GetFullPath(workDir), $"tessera-{job:N}-{spec.Attempt}-{Guid.NewGuid():N}");
        await using var log = new RemoteLog(client, job);
        log.Start();
        ExecutionResult result;
        try
        {
            result = await RunToolAsync(client, spec, server, root, new Confinement(sandbox, network, memoryGb, 4096, [], null) { RunAsUser = runAs }, log, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            result = new ExecutionResult(null, $"stopped on {Environment.MachineName} (the batch system cancelled it)");
        }
        catch (Exception e) when (e is IOException or HttpRequestException or TesseraApiException or UnauthorizedAccessException)
        {
            result = new ExecutionResult(null, $"job-run on {Environment.MachineName} failed: {e.Message}");
        }
        finally
        {
            Wipe(root);
        }
        if (result.Error is { } error)
            log.Note(error);
        await log.DisposeAsync();
        await client.ReportJobRunAsync(job, new JobRunResultDto(result.ExitCode, result.Error), CancellationToken.None);
        return result.Error is not null ? ExitCodes.Failure : result.ExitCode ?? ExitCodes.Failure;
    }

    private static async Task<ExecutionResult> RunToolAsync(
        TesseraClient client, JobRunSpecDto spec, Uri server, string root, Confinement confinement, RemoteLog log, CancellationToken ct)
    {
        Wipe(root);
        var input = Path.Combine(root, "input");
        var output = Path.Combine(root, "output");
        Directory.CreateDirectory(input);
        Directory.CreateDirectory(output);
        foreach (var file in spec.Inputs)
            await FetchAsync(client, spec.Job, file, Path.Combine(input, file.Path), ct);
        log.Note($"{Words.Count(spec.Inputs.Count, "input file")} fetched into {input} on {Environment.MachineName}");

        var relayed = confinement.Sandboxed && confinement.Network == "server";
        await using var relay = relayed ? ApiRelay.Start(root + ".sock", server) : null;
        var environment = new Dictionary<string, string>(spec.Environment, StringComparer.Ordinal)
        {
            ["HOME"] = root,
            ["TESSERA_INPUT"] = input,
            ["TESSERA_OUTPUT"] = output,
            ["TESSERA_URL"] = relayed ? Sandbox.InnerUrl : server.ToString().TrimEnd('/'),
        };
        // What the batch system tells its jobs (SLURM_JOB_ID, SLURM_CPUS_PER_TASK, ...) the tool sees too.
        foreach (var (key, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Select(e => ((string)e.Key, e.Value as string ?? "")).Where(e => e.Item1.StartsWith("SLURM_", StringComparison.Ordinal)))
            environment[key] = value;
        var run = new ExecutionSpec(spec.Job, root, spec.Shell, spec.CommandLine, environment, spec.MemoryGb, spec.Cpus, null, _ => { })
        {
            Tool = spec.Tool,
        };
        await client.JobRunStartedAsync(spec.Job, ct);
        var result = await SandboxedProcess.RunAsync(run, log, confinement with { ApiSocket = relay?.Path }, null, ct);
        ct.ThrowIfCancellationRequested();
        if (result.Error is not null || result.ExitCode != 0)
            return result;
        // job-run is root on many clusters: output/ is read as on the server, never following what the tool made.
        using var folder = OutputFolder.Open(root, MaxOutputFiles);
        foreach (var (path, why) in folder.Refused.OrderBy(r => r.Key, StringComparer.Ordinal))
            log.Note($"output/{path} is not sent: it is {why}");
        foreach (var file in folder.Files)
        {
            // One descriptor for the hash and the upload: the server checks the bytes it gets against the hash.
            await using var content = folder.OpenRead(file);
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
            content.Position = 0;
            await client.PutJobOutputAsync(spec.Job, file.Path, content, sha256, ct);
        }
        log.Note($"{Words.Count(folder.Files.Count, "output file")} sent to the server");
        return result;
    }

    private static async Task FetchAsync(TesseraClient client, Guid job, JobRunInputDto file, string target, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        using var response = await client.OpenJobInputAsync(job, file.Path, ct);
        await using var source = await response.Content.ReadAsStreamAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await copy.WriteAsync(buffer.AsMemory(0, read), ct);
            }
        }
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != file.Sha256)
            throw new IOException($"input {file.Path} arrived damaged (SHA-256 {actual}, expected {file.Sha256})");
    }

    private static void Wipe(string root)
    {
        try
        {
            JobWorkspace.Wipe(root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            Console.Error.WriteLine($"tessera job-run: could not remove {root}: {e.Message}");
        }
    }
}
