using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Ingest;
using Tessera.Archive.Storage;
using Tessera.Archive.Users;
using Tessera.Pipelines.Assessments;
using Tessera.Pipelines.Executors;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// Takes one claimed job through staging, running and finalizing on this node: the workspace and
/// the job's token are made, the target's files staged, the tool run by its executor with the log
/// stored as it is written, then every declared output checked, output/ stored as a resource on the
/// target named after the tool (each file's hash verified by the ingest) and results.json recorded
/// as an assessment. Only then is the job complete; a failure is retried while attempts remain.
/// </summary>
public sealed partial class JobRunner(
    IServiceScopeFactory scopes,
    ExecutorCatalog executors,
    RemoteJobs remote,
    JobSignal signal,
    ServerAddress server,
    IOptions<PipelineOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider clock,
    ILogger<JobRunner> logger)
{
    /// <summary>Runs the job; <paramref name="cancel"/> is cancelled when a user cancels it, <paramref name="stopping"/> when the server stops.</summary>
    public async Task RunAsync(Guid jobId, CancellationToken cancel, CancellationToken stopping)
    {
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ArchiveDbContext>();
        var job = await db.Jobs.AsNoTracking().FirstAsync(j => j.Id == jobId, stopping);
        var tool = await db.Tools.AsNoTracking().FirstAsync(t => t.Id == job.ToolId, stopping);
        await using var log = new JobLogWriter(scopes, job.Id, job.Attempt, options.Value.MaxLogBytes, clock);
        log.Start();
        var parent = options.Value.WorkDirectory ?? Path.Combine(storage.Value.DataDirectory, "jobs");
        string state = JobStates.Staging;
        try
        {
            using var workspace = JobWorkspace.Create(parent, job);
            var definition = await DescriptorReader.ReadAsync(tool.Descriptor);
            using var inputs = JsonDocument.Parse(job.Inputs);
            var invocation = Invocation.Resolve(definition.Descriptor, inputs.RootElement);
            var caller = await CallerAsync(db, job, stopping);
            var project = await db.Projects.AsNoTracking().FirstAsync(p => p.Id == job.ProjectId, stopping);
            var access = await services.GetRequiredService<AccessService>().RequireAsync(project.Slug, caller, AccessLevel.Write, stopping);
            var executor = executors.Get(job.Executor);
            var inputFiles = await JobWorkspace.ListInputsAsync(db, job, tool.Name, definition.InputPatterns, stopping);
            if (executor.RunsElsewhere)
            {
                log.Note($"attempt {job.Attempt} of {job.MaxAttempts} held by {signal.NodeId}, run by the {executor.Name} executor: {inputFiles.Count} input file(s) to fetch");
            }
            else
            {
                await workspace.StageAsync(services.GetRequiredService<IBlobStore>(), inputFiles, stopping);
                log.Note($"attempt {job.Attempt} of {job.MaxAttempts} on {signal.NodeId}: {inputFiles.Count} file(s) staged in input/");
            }
            // Deleted when the job ends; a job run elsewhere may first wait in its batch system's queue.
            var lifetime = TimeSpan.FromSeconds(job.TimeoutSeconds) + (executor.RunsElsewhere ? TimeSpan.FromDays(7) : TimeSpan.FromMinutes(10));
            var token = await services.GetRequiredService<TokenService>().CreateJobTokenAsync(caller.RequireUserId(), job.ProjectId, job.Id, lifetime, stopping);
            log.Hide(token);
            // The time limit counts from the tool's start (not a batch queue's wait).
            using var timeout = new CancellationTokenSource();

            var sandboxed = executor is LocalExecutor { Sandboxed: true } && options.Value.Local.Network == "server";
            var started = false;
            var spec = new ExecutionSpec(job.Id, workspace.Root, definition.Descriptor.Shell ?? "/bin/sh", invocation.CommandLine,
                Environment(job, tool, project.Slug, workspace, token, sandboxed ? Sandbox.InnerUrl : server.Url, definition.Descriptor),
                definition.Descriptor.Resources?.Ram, definition.Descriptor.Resources?.CpuCores, tool.ContainerImage,
                pid =>
                {
                    started = true;
                    timeout.CancelAfter(TimeSpan.FromSeconds(job.TimeoutSeconds));
                    _ = MoveAsync(JobStates.Staging, JobStates.Running, null, t => t with { ExecutorId = pid, Started = true });
                })
            {
                Tool = $"{tool.Name}@{tool.Version}",
                TimeoutSeconds = job.TimeoutSeconds,
                WalltimeSeconds = definition.Descriptor.Resources?.Walltime,
                Partition = definition.Partition,
            };
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, stopping, timeout.Token);
            // A job run elsewhere is reachable by its job-run (the JobRun endpoints) while its executor runs it.
            if (executor.RunsElsewhere)
                remote.Add(new RemoteJob(spec, job.Attempt, inputFiles, workspace.Output, log));
            ExecutionResult result;
            try
            {
                result = await executor.RunAsync(spec, log, stop.Token);
            }
            finally
            {
                remote.Remove(job.Id);
            }
            state = started ? JobStates.Running : JobStates.Staging;
            if (started)
                await WaitForRunningAsync(db, job, stopping);
            if (stopping.IsCancellationRequested)
                return; // the server stops: the lease runs out and the job is retried or failed as lost
            if (cancel.IsCancellationRequested)
            {
                await log.FlushAsync(CancellationToken.None); // what it wrote is in the log before the job ends, for followers
                await FinishAsync(job, state, JobStates.Cancelled, (await db.Jobs.AsNoTracking().Where(j => j.Id == job.Id).Select(j => j.Reason).FirstAsync(stopping)) ?? "cancelled", null);
                return;
            }
            if (timeout.IsCancellationRequested)
                throw new JobFailure($"timed out after {job.TimeoutSeconds} s: the tool and everything it started were stopped", result.ExitCode);
            if (result.Error is { } error)
                throw new JobFailure(error, null);
            if (result.ExitCode != 0)
            {
                var meaning = definition.Descriptor.ErrorCodes.FirstOrDefault(c => c.Code == result.ExitCode)?.Description;
                throw new JobFailure($"the tool exited with code {result.ExitCode}{(meaning is null ? "" : $" ({meaning})")}", result.ExitCode);
            }

            await MoveAsync(state, JobStates.Finalizing, $"exit code 0", t => t with { ExitCode = 0 });
            state = JobStates.Finalizing;
            var assessment = await FinalizeAsync(services, db, access, job, tool, definition, invocation, workspace, log, stopping);
            await log.FlushAsync(CancellationToken.None);
            await FinishAsync(job, state, JobStates.Complete, null, assessment, 0);
        }
        catch (JobFailure failure)
        {
            log.Note(failure.Message);
            await log.FlushAsync(CancellationToken.None);
            await FailAsync(job, state, failure.Message, failure.ExitCode);
        }
        catch (TesseraException e)
        {
            var text = e.Details.Count == 0 ? e.Message : $"{e.Message} {string.Join("; ", e.Details)}";
            log.Note(text);
            await log.FlushAsync(CancellationToken.None);
            await FailAsync(job, state, text, null);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && e is not OutOfMemoryException)
        {
            LogUnexpected(e, job.Id);
            log.Note("the job failed on the server (its log has the details)");
            await log.FlushAsync(CancellationToken.None);
            await FailAsync(job, state, $"the server failed running the job: {e.GetType().Name}: {e.Message}", null);
        }
        finally
        {
            await using var cleanup = scopes.CreateAsyncScope();
            await cleanup.ServiceProvider.GetRequiredService<TokenService>().DeleteJobTokensAsync(job.Id, CancellationToken.None);
        }

        async Task MoveAsync(string from, string to, string? detail, Func<JobTransition, JobTransition> with)
        {
            await using var moveScope = scopes.CreateAsyncScope();
            var moveDb = moveScope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
            await with(new JobTransition(from, to, detail)).ApplyAsync(moveDb, job, signal.NodeId, clock.GetUtcNow().UtcDateTime, CancellationToken.None);
        }
    }

    private async Task<Guid?> FinalizeAsync(
        IServiceProvider services, ArchiveDbContext db, ProjectAccess access, Job job, Tool tool, ToolDefinition definition,
        Invocation invocation, JobWorkspace workspace, JobLogWriter log, CancellationToken ct)
    {
        // Nothing the tool left is followed or moved: output/ is read by descriptor, its files copied out of its reach.
        OutputFolder folder;
        try
        {
            folder = OutputFolder.Open(workspace.Root, options.Value.MaxOutputFiles);
        }
        catch (OutputRefusedException e)
        {
            throw new JobFailure(e.Message, 0);
        }
        using var _ = folder;
        foreach (var (path, why) in folder.Refused.OrderBy(r => r.Key, StringComparer.Ordinal))
            log.Note($"output/{path} is not stored: it is {why}");
        var missing = invocation.Outputs.Where(o => !o.Optional && folder.Find(InOutput(o.Path)) is null).ToList();
        if (missing.Count > 0)
        {
            throw new JobFailure($"declared output{(missing.Count == 1 ? "" : "s")} not written: " +
                string.Join(", ", missing.Select(o => $"{o.Id} ({o.Path}{(folder.WhyRefused(InOutput(o.Path)) is { } why ? $" is {why}" : "")})")), 0);
        }
        Guid? assessmentId = null;
        string? values = null;
        if (definition.AssessmentType is { } type)
        {
            if (folder.Find("results.json") is not { } results)
            {
                throw new JobFailure($"the tool fills in assessment type '{type}' but wrote no output/results.json" +
                    (folder.WhyRefused("results.json") is { } why ? $" (it is {why})" : ""), 0);
            }
            try
            {
                values = await folder.ReadTextAsync(results, options.Value.MaxResultsBytes, ct);
                using var parsed = JsonDocument.Parse(values);
            }
            catch (OutputRefusedException e)
            {
                throw new JobFailure($"{e.Message} (Pipelines:MaxResultsBytes)", 0);
            }
            catch (JsonException e)
            {
                throw new JobFailure($"output/results.json is not JSON: {e.Message}", 0);
            }
        }
        var owner = JobTarget.Parse(job.Target);
        var outputs = folder.Files;
        var files = new List<IngestFile>(outputs.Count);
        if (outputs.Count > 0)
        {
            JobWorkspace.Wipe(workspace.Collected);
            Directory.CreateDirectory(workspace.Collected);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(workspace.Collected, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        for (var i = 0; i < outputs.Count; i++)
        {
            var copy = Path.Combine(workspace.Collected, i.ToString(CultureInfo.InvariantCulture));
            string sha256;
            try
            {
                sha256 = await folder.CopyAsync(outputs[i], copy, ct);
            }
            catch (OutputRefusedException e)
            {
                throw new JobFailure(e.Message, 0);
            }
            files.Add(new IngestFile(new IngestRequest(owner, tool.Name, outputs[i].Path, sha256), copy, sha256));
        }
        if (files.Count > 0)
        {
            var stored = await services.GetRequiredService<IngestService>().StoreFilesAsync(access, files, ct);
            var refused = stored.Select((o, i) => (o, i)).Where(x => x.o.Error is not null).ToList();
            if (refused.Count > 0)
                throw new JobFailure($"outputs not stored: {string.Join("; ", refused.Select(x => $"{outputs[x.i].Path}: {x.o.Error!.Message}"))}", 0);
            log.Note($"{files.Count} output file(s) stored in resource {tool.Name} of {job.Target}");
        }
        if (values is not null)
        {
            var assessment = await services.GetRequiredService<AssessmentService>().AddAsync(job, tool, definition.AssessmentType!, values, ct);
            await db.SaveChangesAsync(ct);
            assessmentId = assessment.Id;
            log.Note($"results.json recorded as assessment {assessment.Id} ({definition.AssessmentType})");
        }
        return assessmentId;

        static string InOutput(string path) => path.StartsWith("output/", StringComparison.Ordinal) ? path["output/".Length..] : path;
    }

    private async Task FailAsync(Job job, string from, string reason, int? exitCode)
    {
        // A context of its own: the one of the run may hold what a failed save left behind.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        if (job.Attempt < job.MaxAttempts)
        {
            var delay = TimeSpan.FromSeconds(job.RetryDelaySeconds * Math.Pow(2, job.Attempt - 1));
            var retry = new JobTransition(from, JobStates.Queued, $"attempt {job.Attempt} failed: {reason}; retried from {(now + delay).ToString("u", CultureInfo.InvariantCulture)}")
            {
                Reason = reason, ExitCode = exitCode, NotBefore = now + delay,
            };
            if (await retry.ApplyAsync(db, job, signal.NodeId, now, CancellationToken.None))
                return;
        }
        await FinishAsync(job, from, JobStates.Failed, reason, null, exitCode);
    }

    private async Task FinishAsync(Job job, string from, string to, string? reason, Guid? assessment, int? exitCode = null)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var transition = new JobTransition(from, to) { Reason = reason, AssessmentId = assessment, ExitCode = exitCode };
        if (!await transition.ApplyAsync(db, job, signal.NodeId, clock.GetUtcNow().UtcDateTime, CancellationToken.None))
            LogLost(job.Id, to);
    }

    /// <summary>The move to running is made as the tool starts, off the executor's thread; later moves wait for it.</summary>
    private static async Task WaitForRunningAsync(ArchiveDbContext db, Job job, CancellationToken ct)
    {
        for (var i = 0; i < 100; i++)
        {
            var state = await db.Jobs.AsNoTracking().Where(j => j.Id == job.Id).Select(j => j.State).FirstAsync(ct);
            if (state != JobStates.Staging)
                return;
            await Task.Delay(20, ct);
        }
    }

    private static async Task<Caller> CallerAsync(ArchiveDbContext db, Job job, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == job.SubmittedBy, ct);
        if (user is null || user.IsDisabled)
            throw TesseraException.Forbidden("the user who submitted the job no longer exists or is disabled");
        return new Caller(user.Id, user.Username, user.IsAdmin);
    }

    private static Dictionary<string, string> Environment(
        Job job, Tool tool, string project, JobWorkspace workspace, string token, string url, BoutiquesDescriptor descriptor)
    {
        var owner = JobTarget.Parse(job.Target);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = workspace.Root,
            ["TMPDIR"] = "/tmp",
            ["LANG"] = "C.UTF-8",
        };
        foreach (var variable in descriptor.Environment)
            environment[variable.Name] = variable.Value;
        environment["TESSERA_URL"] = url;
        environment["TESSERA_TOKEN"] = token;
        environment["TESSERA_PROJECT"] = project;
        environment["TESSERA_SUBJECT"] = owner.Subject!;
        environment["TESSERA_SESSION"] = owner.Session!;
        environment["TESSERA_SCAN"] = owner.Scan ?? "";
        environment["TESSERA_JOB"] = job.Id.ToString();
        environment["TESSERA_ATTEMPT"] = job.Attempt.ToString(CultureInfo.InvariantCulture);
        environment["TESSERA_TOOL"] = $"{tool.Name}@{tool.Version}";
        environment["TESSERA_INPUT"] = workspace.Input;
        environment["TESSERA_OUTPUT"] = workspace.Output;
        return environment;
    }

    private sealed class JobFailure(string message, int? exitCode) : Exception(message)
    {
        public int? ExitCode { get; } = exitCode;
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Error, Message = "Job {Job} failed on the server")]
    private partial void LogUnexpected(Exception exception, Guid job);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Warning, Message = "Job {Job} could not be moved to {State}: it is no longer held by this node (its lease ran out)")]
    private partial void LogLost(Guid job, string state);
}
