using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary><c>tessera jobs run|list|show|log|cancel</c>: run tools on sessions and scans, and follow them.</summary>
internal static class JobsCommand
{
    public static Command Create() => new("jobs", "Run tools on sessions and scans, and follow their jobs.")
    {
        Run(), List(), Show(), Log(), Cancel(),
    };

    private static Command Run()
    {
        var tool = new Argument<string>("tool") { Description = "name@version" };
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN." };
        var inputs = new Option<string[]>("--input", "-i") { Description = "An input as id=value (the value read as JSON when it is: numbers, true, [lists]); repeat for more.", AllowMultipleArgumentsPerToken = false };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds before the job is stopped and failed." };
        var attempts = new Option<int?>("--attempts") { Description = "How many times it may run before it fails." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Print the log as the tool writes it and wait for the end (exit 0 only when complete)." };
        var command = new Command("run", "Submit a job.") { tool, target, inputs, timeout, attempts, follow };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            var where = ArchiveTarget.Parse(result.GetValue(target)!, allowScan: true);
            var values = new JsonObject();
            foreach (var pair in result.GetValue(inputs) ?? [])
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                    throw new UsageException($"--input takes id=value, not '{pair}'.");
                values[pair[..eq]] = Value(pair[(eq + 1)..]);
            }
            using var client = CommandErrors.Connect();
            var job = await client.SubmitJobAsync(where.Project, new SubmitJobRequest(result.GetValue(tool)!, where.OwnerPath,
                JsonSerializer.SerializeToElement(values), result.GetValue(timeout), result.GetValue(attempts)), ct);
            Console.Error.WriteLine($"Job {job.Id} {job.State}: {job.Tool} on {job.Project}/{job.Target}");
            if (!result.GetValue(follow))
            {
                Console.WriteLine(job.Id);
                return ExitCodes.Success;
            }
            return await FollowAsync(client, job.Id, ct);
        }));
        return command;
    }

    private static Command List()
    {
        var project = new Argument<string>("project");
        var state = new Option<string?>("--state") { Description = "Only jobs in this state (queued, staging, running, finalizing, complete, failed, cancelled)." };
        var tool = new Option<string?>("--tool") { Description = "Only jobs of this tool (name or name@version)." };
        var target = new Option<string?>("--target") { Description = "Only jobs on this session or scan path (subjects/S/sessions/E), and below." };
        var command = new Command("list", "List a project's jobs, newest first.") { project, state, tool, target };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var page = await client.ListJobsAsync(result.GetValue(project)!, result.GetValue(state), result.GetValue(tool), result.GetValue(target), ct);
            foreach (var job in page.Items)
            {
                Console.WriteLine(string.Join('\t', job.Id, job.State, job.Tool, job.Target,
                    job.CreatedAt.ToString("u", CultureInfo.InvariantCulture), job.Reason ?? ""));
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<Guid>("job");
        var command = new Command("show", "Show a job and its history.") { id };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var job = await client.GetJobAsync(result.GetValue(id), ct);
            Console.WriteLine($"{job.Id}: {job.State}{(job.Reason is null ? "" : $" ({job.Reason})")}");
            Console.WriteLine($"{job.Tool} on {job.Project}/{job.Target}, executor {job.Executor}, attempt {job.Attempt} of {job.MaxAttempts}" +
                              (job.ExitCode is { } code ? $", exit code {code}" : ""));
            foreach (var e in job.History ?? [])
                Console.WriteLine($"  {e.At.ToString("u", CultureInfo.InvariantCulture)}  {e.State,-10} #{e.Attempt}  {e.Detail}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Log()
    {
        var id = new Argument<Guid>("job");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing what the tool writes until the job ends." };
        var command = new Command("log", "Print a job's standard output and error.") { id, follow };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            if (result.GetValue(follow))
                return await FollowAsync(client, result.GetValue(id), ct);
            await using var log = await client.OpenJobLogAsync(result.GetValue(id), follow: false, ct);
            await log.CopyToAsync(Console.OpenStandardOutput(), ct);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Cancel()
    {
        var id = new Argument<Guid>("job");
        var command = new Command("cancel", "Cancel a job (a running one is stopped).") { id };
        command.SetAction((result, ct) => CommandErrors.RunAsync(async () =>
        {
            using var client = CommandErrors.Connect();
            var job = await client.CancelJobAsync(result.GetValue(id), ct);
            Console.WriteLine(JobStatesText(job));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Streams the log to standard output until the job ends; success only when it completed.</summary>
    private static async Task<int> FollowAsync(Tessera.Client.TesseraClient client, Guid id, CancellationToken ct)
    {
        await using (var log = await client.OpenJobLogAsync(id, follow: true, ct))
        {
            await log.CopyToAsync(Console.OpenStandardOutput(), ct);
        }
        var job = await client.GetJobAsync(id, ct);
        Console.Error.WriteLine(JobStatesText(job));
        return job.State == "complete" ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static string JobStatesText(JobDto job) => $"Job {job.Id} {job.State}{(job.Reason is null ? "" : $": {job.Reason}")}";

    private static JsonNode? Value(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
