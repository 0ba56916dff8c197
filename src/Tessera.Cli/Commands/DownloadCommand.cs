using System.CommandLine;
using System.Security.Cryptography;
using Spectre.Console;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera download P/S/E --out DIR</c>: every file of a session and its scans, laid out as
/// <c>RESOURCE/path</c> and <c>scans/SCAN/RESOURCE/path</c>, each verified against its SHA-256.
/// Files already present with the right content are skipped.
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write into.", Required = true };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files downloaded at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("download", "Download all files of a session.") { target, output, parallel };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => RunAsync(
            ArchiveTarget.Parse(result.GetValue(target)!, allowScan: false), result.GetValue(output)!,
            Math.Clamp(result.GetValue(parallel), 1, 32), ct)));
        return command;
    }

    private static async Task<int> RunAsync(ArchiveTarget target, string output, int parallel, CancellationToken ct)
    {
        using var client = CommandErrors.Connect();
        var files = await ListAsync(client, target, ct);
        var root = Path.GetFullPath(output);
        var failures = 0;
        var current = 0;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var total = progress.AddTask($"{files.Count} files", maxValue: Math.Max(1, files.Sum(f => f.File.Size)));
                await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (item, token) =>
                {
                    var destination = Path.GetFullPath(Path.Combine(root, item.LocalPath));
                    if (!destination.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref failures);
                        CommandErrors.Error($"{item.LocalPath}: refused, it would be written outside {root}.");
                        return;
                    }
                    try
                    {
                        if (File.Exists(destination) && await LocalFiles.Sha256Async(destination, token) == item.File.Sha256)
                        {
                            Interlocked.Increment(ref current);
                            total.Increment(item.File.Size);
                            return;
                        }
                        await FetchAsync(client, item.File, destination, total, token);
                    }
                    catch (Exception e) when (e is TesseraApiException or IOException or HttpRequestException)
                    {
                        Interlocked.Increment(ref failures);
                        CommandErrors.Error($"{item.LocalPath}: {e.Message}");
                    }
                });
            });
        Console.WriteLine(
            $"Downloaded {files.Count - failures - current}, skipped {current} already up to date, failed {failures}; into {root}.");
        return failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    private static async Task FetchAsync(TesseraClient client, FileDto file, string destination, ProgressTask total, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = destination + ".part";
        using (var response = await client.OpenFileAsync(file.Url, ct))
        await using (var source = new ProgressStream(await response.Content.ReadAsStreamAsync(ct), n => total.Increment(n)))
        await using (var target = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous))
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), ct);
            }
            var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != file.Sha256)
            {
                throw new IOException($"the received content's SHA-256 is {actual}, expected {file.Sha256}");
            }
        }
        File.Move(temp, destination, overwrite: true);
    }

    private static async Task<List<(string LocalPath, FileDto File)>> ListAsync(TesseraClient client, ArchiveTarget target, CancellationToken ct)
    {
        var owners = new List<(string OwnerPath, string LocalPrefix)> { (target.SessionPath, "") };
        var session = await client.GetSessionAsync(target.Project, target.Subject, target.Session, 0, ct);
        var scans = session.Scans?.Items.ToList() ?? [];
        while (session.Scans is { } page && scans.Count < page.Total)
        {
            session = await client.GetSessionAsync(target.Project, target.Subject, target.Session, scans.Count, ct);
            scans.AddRange(session.Scans!.Items);
        }
        owners.AddRange(scans.Select(s => ($"{target.SessionPath}/scans/{s.Label}", $"scans/{s.Label}/")));
        var files = new List<(string, FileDto)>();
        foreach (var (ownerPath, prefix) in owners)
        {
            foreach (var resource in await client.ListResourcesAsync(target.Project, ownerPath, ct))
            {
                foreach (var file in await client.ListFilesAsync(target.Project, ownerPath, resource.Label, ct))
                {
                    files.Add(($"{prefix}{resource.Label}/{file.Path}", file));
                }
            }
        }
        return files;
    }
}
