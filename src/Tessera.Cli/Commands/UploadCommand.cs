using System.Collections.Concurrent;
using System.CommandLine;
using Spectre.Console;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera upload P/S/E[/N] PATH...</c>: creates the hierarchy as needed, then uploads files in
/// parallel with their SHA-256 declared; files already stored with the same SHA-256 are skipped,
/// so running it again after an interruption finishes the job.
/// </summary>
internal static class UploadCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN" };
        var paths = new Argument<string[]>("paths") { Description = "Files and folders (folders are uploaded recursively).", Arity = ArgumentArity.OneOrMore };
        var resource = new Option<string>("--resource", "-r") { Description = "Resource (folder) to upload into.", DefaultValueFactory = _ => "FILES" };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files uploaded at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("upload", "Upload files and folders into a session or scan.") { target, paths, resource, parallel };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => RunAsync(
            ArchiveTarget.Parse(result.GetValue(target)!, allowScan: true), result.GetValue(paths)!,
            result.GetValue(resource)!, Math.Clamp(result.GetValue(parallel), 1, 32), ct)));
        return command;
    }

    private static async Task<int> RunAsync(ArchiveTarget target, string[] paths, string resource, int parallel, CancellationToken ct)
    {
        var files = LocalFiles.Expand(paths);
        using var client = CommandErrors.Connect();
        await client.PutEntityAsync(target.Project, target.SubjectPath, ct: ct);
        await client.PutEntityAsync(target.Project, target.SessionPath, ct: ct);
        if (target.Scan is not null)
        {
            await client.PutEntityAsync(target.Project, target.OwnerPath, ct: ct);
        }
        var stored = (await client.ListFilesAsync(target.Project, target.OwnerPath, resource, ct))
            .ToDictionary(f => f.Path, f => f.Sha256, StringComparer.Ordinal);

        var failures = new ConcurrentBag<string>();
        var skipped = 0;
        var uploaded = 0;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async progress =>
            {
                var total = progress.AddTask($"{files.Count} files", maxValue: Math.Max(1, files.Sum(f => f.Size)));
                await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (file, token) =>
                {
                    try
                    {
                        var sha = await LocalFiles.Sha256Async(file.FullPath, token);
                        if (stored.TryGetValue(file.ArchivePath, out var existing) && existing == sha)
                        {
                            Interlocked.Increment(ref skipped);
                            total.Increment(file.Size);
                            return;
                        }
                        var bar = progress.AddTask(Markup.Escape(file.ArchivePath), maxValue: Math.Max(1, file.Size));
                        await using var stream = new ProgressStream(
                            new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous),
                            n => { bar.Increment(n); total.Increment(n); });
                        await client.UploadFileAsync(target.Project, target.OwnerPath, resource, file.ArchivePath, stream, sha, ct: token);
                        bar.StopTask();
                        Interlocked.Increment(ref uploaded);
                    }
                    catch (Exception e) when (e is TesseraApiException or IOException or HttpRequestException)
                    {
                        failures.Add($"{file.ArchivePath}: {e.Message}");
                    }
                });
            });
        Console.WriteLine($"Uploaded {uploaded}, skipped {skipped} already stored, failed {failures.Count}.");
        foreach (var failure in failures.Order(StringComparer.Ordinal))
        {
            CommandErrors.Error(failure);
        }
        return failures.IsEmpty ? ExitCodes.Success : ExitCodes.Failure;
    }
}
