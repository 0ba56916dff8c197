using System.Collections.Concurrent;
using System.CommandLine;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera upload P/S/E[/N] PATH...</c>: creates the subject, session and scan when missing (and
/// says so; <c>--no-create</c> refuses instead), then uploads files in parallel with their SHA-256
/// declared. Files already stored with the same SHA-256 are skipped; large files go through tus in
/// checksummed chunks and resume where the server stopped, so running it again after an
/// interruption finishes the job without sending again what arrived.
/// </summary>
internal static class UploadCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN" };
        var paths = new Argument<string[]>("paths") { Description = "Files and folders (folders are uploaded recursively).", Arity = ArgumentArity.OneOrMore };
        var resource = new Option<string>("--resource", "-r") { Description = "Resource (folder) to upload into.", DefaultValueFactory = _ => "FILES" };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files uploaded at once.", DefaultValueFactory = _ => 4 };
        var noCreate = new Option<bool>("--no-create") { Description = "Fail (exit 1, nothing created) if the subject, session or scan does not exist yet." };
        var command = new Command("upload", "Upload files and folders into a session or scan.") { target, paths, resource, parallel, noCreate };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => RunAsync(
            ArchiveTarget.Parse(result.GetValue(target)!, allowScan: true), result.GetValue(paths)!,
            result.GetValue(resource)!, Math.Clamp(result.GetValue(parallel), 1, 32), result.GetValue(noCreate), ct)));
        return command;
    }

    private static async Task<int> RunAsync(ArchiveTarget target, string[] paths, string resource, int parallel, bool noCreate, CancellationToken ct)
    {
        var files = LocalFiles.Expand(paths);
        using var client = CommandErrors.Connect();
        await EnsureTargetAsync(client, target, noCreate, ct);
        var stored = (await client.ListFilesAsync(target.Project, target.OwnerPath, resource, ct))
            .ToDictionary(f => f.Path, f => f.Sha256, StringComparer.Ordinal);

        var failures = new ConcurrentBag<string>();
        var skipped = 0;
        var uploaded = 0;
        var resumed = 0;
        var threshold = ResumableUpload.Threshold;
        using (var progress = new TransferProgress("uploaded", files.Sum(f => f.Size), files.Count))
        {
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (file, token) =>
            {
                try
                {
                    var sha = await LocalFiles.Sha256Async(file.FullPath, token);
                    if (stored.TryGetValue(file.ArchivePath, out var existing) && existing == sha)
                    {
                        Interlocked.Increment(ref skipped);
                        progress.Skip(file.Size);
                        progress.FileDone();
                        return;
                    }
                    if (file.Size > 0 && file.Size >= threshold)
                    {
                        if (await ResumableUpload.UploadAsync(client, target, resource, file, sha, progress, token) > 0)
                        {
                            Interlocked.Increment(ref resumed);
                        }
                    }
                    else
                    {
                        await using var stream = new ProgressStream(
                            new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous),
                            progress.Add);
                        await client.UploadFileAsync(target.Project, target.OwnerPath, resource, file.ArchivePath, stream, sha, ct: token);
                    }
                    progress.FileDone();
                    Interlocked.Increment(ref uploaded);
                }
                catch (Exception e) when (e is TesseraApiException or IOException or HttpRequestException)
                {
                    failures.Add($"{file.ArchivePath}: {e.Message}");
                }
            });
        }
        Console.WriteLine($"Uploaded {uploaded}, skipped {skipped} already stored, failed {failures.Count}.");
        if (resumed > 0)
        {
            Console.WriteLine($"{Words.Count(resumed, "upload")} resumed where an earlier run stopped.");
        }
        foreach (var failure in failures.Order(StringComparer.Ordinal))
        {
            CommandErrors.Error(failure);
        }
        if (!failures.IsEmpty && files.Any(f => f.Size >= threshold))
        {
            Console.Error.WriteLine("Run the same command again to resume: large files go on from what the server already has.");
        }
        return failures.IsEmpty ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// Checks the subject, session and scan, then creates the missing ones and says which; with
    /// <paramref name="noCreate"/>, a missing one is an error and nothing is created.
    /// </summary>
    private static async Task EnsureTargetAsync(TesseraClient client, ArchiveTarget target, bool noCreate, CancellationToken ct)
    {
        await new ArchivePath(target.Project).EnsureExistsAsync(client, ct);
        var levels = new List<(string Kind, string Label, string Path)>
        {
            ("subject", target.Subject, target.SubjectPath),
            ("session", target.Session, target.SessionPath),
        };
        if (target.Scan is not null)
        {
            levels.Add(("scan", target.Scan, target.OwnerPath));
        }
        var missing = new List<(string Kind, string Label, string Path)>();
        foreach (var level in levels)
        {
            // Below a missing level everything is missing: no need to ask.
            if (missing.Count > 0 || !await client.EntityExistsAsync(target.Project, level.Path, ct))
            {
                missing.Add(level);
            }
        }
        if (missing.Count == 0)
        {
            return;
        }
        var names = string.Join(", ", missing.Select(m => $"{m.Kind} {m.Label}"));
        if (noCreate)
        {
            throw new ArchivePathNotFoundException(
                $"{target}: no {names} yet, and --no-create was given; nothing was created or uploaded.");
        }
        var created = new List<string>();
        foreach (var level in missing)
        {
            if (await client.CreateEntityAsync(target.Project, level.Path, ct))
            {
                created.Add($"{level.Kind} {level.Label}");
            }
        }
        if (created.Count > 0)
        {
            Console.WriteLine($"Created {string.Join(", ", created)} in project {target.Project}.");
        }
    }
}
