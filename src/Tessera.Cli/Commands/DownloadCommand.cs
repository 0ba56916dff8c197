using System.CommandLine;
using System.Security.Cryptography;
using Spectre.Console;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera download P/S/E --out DIR</c>: every file of a session and its scans, laid out as
/// <c>RESOURCE/path</c> and <c>scans/SCAN/RESOURCE/path</c>, each verified against its SHA-256.
/// Files already present with the right content are skipped. With <c>--dicom-media</c>, the DICOM
/// instances of a session or scan (or of what <c>-k</c> keys find in a project) as PS3.10 media:
/// a folder with a DICOMDIR and DICOM/…, ready for a disc or a stick, or the zip itself (<c>--out x.zip</c>).
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "PROJECT/SUBJECT/SESSION (with --dicom-media also PROJECT/SUBJECT/SESSION/SCAN, or PROJECT with -k)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write into (with --dicom-media, a name ending in .zip keeps the zip).", Required = true };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files downloaded at once.", DefaultValueFactory = _ => 4 };
        var media = new Option<bool>("--dicom-media") { Description = "The DICOM instances as PS3.10 media: a DICOMDIR and DICOM/… files, as on a disc." };
        var keys = new Option<string[]>("--key", "-k") { Description = "With --dicom-media and a PROJECT target: matching keys (StudyInstanceUID=1.2.3, PatientID=X).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("download", "Download all files of a session, or its DICOM instances as DICOM media.") { target, output, parallel, media, keys };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => result.GetValue(media)
            ? MediaAsync(result.GetValue(target)!, result.GetValue(keys) ?? [], result.GetValue(output)!, ct)
            : RunAsync(ArchiveTarget.Parse(result.GetValue(target)!, allowScan: false), result.GetValue(output)!,
                Math.Clamp(result.GetValue(parallel), 1, 32), ct)));
        return command;
    }

    private static async Task<int> MediaAsync(string target, string[] keys, string output, CancellationToken ct)
    {
        string project;
        string? ownerPath = null;
        var pairs = keys.Select(k => k.Split('=', 2)).Select(p => p.Length == 2 && p[0].Length > 0
            ? new KeyValuePair<string, string>(p[0], p[1])
            : throw new UsageException($"'{string.Join('=', p)}' is not KEY=VALUE.")).ToList();
        if (!target.Trim('/').Contains('/', StringComparison.Ordinal))
        {
            project = target.Trim('/');
            if (pairs.Count == 0)
                throw new UsageException("Name what to export from the project with -k (e.g. -k StudyInstanceUID=1.2.3), or give PROJECT/SUBJECT/SESSION[/SCAN].");
        }
        else
        {
            if (pairs.Count > 0)
                throw new UsageException("-k goes with a PROJECT target only.");
            var parsed = ArchiveTarget.Parse(target, allowScan: true);
            (project, ownerPath) = (parsed.Project, parsed.OwnerPath);
        }
        using var client = CommandErrors.Connect();
        var zip = output.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);
        var file = Path.GetFullPath(zip ? output : Path.Combine(output, ".dicom-media.zip.part"));
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        long bytes = 0;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new DownloadedColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask("DICOM media", maxValue: double.MaxValue);
                using var response = await client.OpenDicomMediaAsync(project, ownerPath, pairs, ct);
                await using var source = new ProgressStream(await response.Content.ReadAsStreamAsync(ct), n => { task.Increment(n); bytes += n; });
                await using var target = new FileStream(zip ? file + ".part" : file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
                await source.CopyToAsync(target, 1 << 20, ct);
            });
        if (zip)
        {
            File.Move(file + ".part", file, overwrite: true);
            Console.WriteLine($"Wrote {bytes:N0} bytes of DICOM media to {file}.");
            return ExitCodes.Success;
        }
        try
        {
            var count = MediaFolder.Extract(file, Path.GetFullPath(output));
            Console.WriteLine($"Wrote a DICOMDIR and {count} DICOM file(s) into {Path.GetFullPath(output)}.");
            return ExitCodes.Success;
        }
        finally
        {
            File.Delete(file);
        }
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
