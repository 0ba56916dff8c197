using System.CommandLine;
using System.Security.Cryptography;
using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera download P[/S[/E[/N]]] --out DIR</c>: every file of a project, subject, session or
/// scan, laid out as <see cref="ArchiveWalk"/> says (a session's as <c>RESOURCE/path</c> and
/// <c>scans/SCAN/RESOURCE/path</c>), streamed and verified against its SHA-256. Files already present
/// with the right content are skipped; a file cut off midway is continued. With <c>--dicom-media</c>, the DICOM
/// instances of a session or scan (or of what <c>-k</c> keys find in a project) as PS3.10 media:
/// a folder with a DICOMDIR and DICOM/…, ready for a disc or a stick, or the zip itself (<c>--out x.zip</c>).
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("target") { Description = "PROJECT, PROJECT/SUBJECT, PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN (with --dicom-media: a session, a scan, or PROJECT with -k)" };
        var output = new Option<string>("--out", "-o") { Description = "Folder to write into (with --dicom-media, a name ending in .zip keeps the zip).", Required = true };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files downloaded at once.", DefaultValueFactory = _ => 4 };
        var media = new Option<bool>("--dicom-media") { Description = "The DICOM instances as PS3.10 media: a DICOMDIR and DICOM/… files, as on a disc." };
        var keys = new Option<string[]>("--key", "-k") { Description = "With --dicom-media and a PROJECT target: matching keys (StudyInstanceUID=1.2.3, PatientID=X).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("download", "Download every file of a project, subject, session or scan (the hierarchy as folders), or DICOM instances as DICOM media.") { target, output, parallel, media, keys };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => result.GetValue(media)
            ? MediaAsync(result.GetValue(target)!, result.GetValue(keys) ?? [], result.GetValue(output)!, ct)
            : RunAsync(ArchivePath.Parse(result.GetValue(target)!), result.GetValue(output)!,
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
        // The zip is built as it streams: its size is not known beforehand.
        using (var progress = new TransferProgress("downloaded", -1, 1))
        {
            using var response = await client.OpenDicomMediaAsync(project, ownerPath, pairs, ct);
            await using var source = new ProgressStream(await response.Content.ReadAsStreamAsync(ct), n => { progress.Add(n); bytes += n; });
            await using var sink = new FileStream(zip ? file + ".part" : file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            await source.CopyToAsync(sink, 1 << 20, ct);
            progress.FileDone();
        }
        if (zip)
        {
            File.Move(file + ".part", file, overwrite: true);
            Console.WriteLine($"Wrote {bytes:N0} bytes of DICOM media to {file}.");
            return ExitCodes.Success;
        }
        try
        {
            var count = MediaFolder.Extract(file, Path.GetFullPath(output));
            Console.WriteLine($"Wrote a DICOMDIR and {Words.Count(count, "DICOM file")} into {Path.GetFullPath(output)}.");
            return ExitCodes.Success;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<int> RunAsync(ArchivePath target, string output, int parallel, CancellationToken ct)
    {
        using var client = CommandErrors.Connect();
        await target.EnsureExistsAsync(client, ct);
        var files = await ArchiveWalk.FilesAsync(client, target, ct);
        var root = Path.GetFullPath(output);
        var failures = 0;
        var current = 0;
        // Two archive paths that land on one local path (a subject's resource named like one of its
        // sessions) are both refused rather than one overwriting the other.
        var clashes = files.GroupBy(f => f.LocalPath, StringComparer.Ordinal).Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet();
        using (var progress = new TransferProgress("downloaded", files.Sum(f => f.File.Size), files.Count))
        {
            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct }, async (item, token) =>
            {
                var destination = Path.GetFullPath(Path.Combine(root, item.LocalPath));
                if (!destination.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || clashes.Contains(item))
                {
                    Interlocked.Increment(ref failures);
                    progress.Note($"error: {item.LocalPath}: refused, " + (clashes.Contains(item)
                        ? "another file of the download has the same local path."
                        : $"it would be written outside {root}."));
                    return;
                }
                try
                {
                    if (File.Exists(destination) && new FileInfo(destination).Length == item.File.Size
                        && await LocalFiles.Sha256Async(destination, token) == item.File.Sha256)
                    {
                        Interlocked.Increment(ref current);
                        progress.Skip(item.File.Size);
                        progress.FileDone();
                        return;
                    }
                    await FetchAsync(client, item.File, destination, progress, token);
                    progress.FileDone();
                }
                catch (Exception e) when (e is TesseraApiException or IOException or HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                    progress.Note($"error: {item.LocalPath}: {e.Message}");
                }
            });
        }
        if (files.Count == 0)
        {
            Console.WriteLine($"{target} has no files; nothing to download.");
            return ExitCodes.Success;
        }
        Console.WriteLine(
            $"Downloaded {files.Count - failures - current}, skipped {current} already up to date, failed {failures}; into {root}.");
        return failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    /// <summary>
    /// Streams one file into <c>destination.part</c>, hashing as it goes, and renames it into place
    /// once its SHA-256 is the archive's. A <c>.part</c> left by an interrupted run is continued with
    /// a Range request (its bytes hashed first) rather than fetched again.
    /// </summary>
    private static async Task FetchAsync(TesseraClient client, FileDto file, string destination, TransferProgress progress, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var temp = destination + ".part";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long have = 0;
        if (File.Exists(temp) && new FileInfo(temp).Length is > 0 and var length && length < file.Size)
        {
            await using var existing = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.None, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
            int got;
            while ((got = await existing.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, got);
            }
            have = length;
        }
        using (var response = await client.OpenFileAsync(file.Url, have, ct))
        {
            if (response.StatusCode != System.Net.HttpStatusCode.PartialContent && have > 0)
            {
                // The server sent the whole file: start over.
                have = 0;
                hash.GetHashAndReset();
            }
            progress.Skip(have);
            await using var source = await response.Content.ReadAsStreamAsync(ct);
            await using var target = new FileStream(temp, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, FileOptions.Asynchronous);
            int read;
            while ((read = await source.ReadAsync(buffer, ct)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                await target.WriteAsync(buffer.AsMemory(0, read), ct);
                progress.Add(read);
            }
        }
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (actual != file.Sha256)
        {
            File.Delete(temp);
            throw new IOException($"the received content's SHA-256 is {actual}, expected {file.Sha256}");
        }
        File.Move(temp, destination, overwrite: true);
    }
}
