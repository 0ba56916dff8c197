using System.Collections.Concurrent;
using System.CommandLine;
using Tessera.Archive.Dicom;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Archive.Dicom.Media;
using Tessera.Dicom.IO;
using Tessera.Dicom.Media;
using Tessera.Server.Api;

namespace Tessera.Cli.Commands;

/// <summary>
/// <c>tessera import PATH... --project P</c>: sends every file to the project's DICOM-aware import,
/// which sorts DICOM (recognised by content) into subjects, sessions and scans. Files that are not
/// DICOM follow into the one session the DICOM files went to, or are reported. Running it again is
/// cheap: instances already stored come back as duplicates.
/// </summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files and folders (folders are read recursively).", Arity = ArgumentArity.OneOrMore };
        var project = new Option<string>("--project", "-p") { Description = "The project to import into.", Required = true };
        var session = new Option<string?>("--session") { Description = "SUBJECT/SESSION for files that are not DICOM (default: the one session the DICOM files went to)." };
        var parallel = new Option<int>("--parallel", "-j") { Description = "Files sent at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("import", "Import a folder of DICOM (and other) files into a project, sorted by patient, study and series.") { paths, project, session, parallel };
        command.SetAction((result, ct) => CommandErrors.RunAsync(() => RunAsync(
            result.GetValue(paths)!, result.GetValue(project)!, result.GetValue(session), Math.Clamp(result.GetValue(parallel), 1, 32), ct)));
        return command;
    }

    private static async Task<int> RunAsync(string[] paths, string project, string? session, int parallel, CancellationToken ct)
    {
        var files = LocalFiles.Expand(paths);
        var results = new ConcurrentBag<ImportedFileDto>();
        // A disc's folder is read through its DICOMDIR: the DICOMDIR itself stays here, its missing files are reported,
        // and what is on the disc but neither DICOM nor referenced (a viewer, autorun files) is left out.
        var byPath = files.ToDictionary(f => f.ArchivePath, f => f.FullPath, StringComparer.Ordinal);
        var plan = DiscPlan.HasDirectory(byPath.Keys)
            ? DiscPlan.Create(files.Select(f => f.ArchivePath).ToList(), p => DicomDirectory.ReadFile(byPath[p]))
            : DiscPlan.None;
        foreach (var line in plan.Lines)
            results.Add(ImportEndpoints.ToDto(line));
        files = files.Where(f => !plan.IsDirectory(f.ArchivePath)).ToList();
        // Zips go with the DICOM files: the server expands them and sorts what they hold.
        var dicom = files.Where(f => DicomReader.LooksLikeDicomFile(f.FullPath) || IsZip(f.FullPath)).ToList();
        var others = files.Except(dicom).ToList();
        foreach (var skipped in others.Where(f => plan.For(f.ArchivePath) is { Referenced: false }).ToList())
        {
            results.Add(new ImportedFileDto(skipped.ArchivePath, "skipped",
                $"not DICOM, and {plan.For(skipped.ArchivePath)!.Directory} does not reference it (a disc's viewer or autorun files): left out", null, null, []));
            others.Remove(skipped);
        }
        using var client = CommandErrors.Connect();
        var failures = new ConcurrentBag<string>();
        using (var progress = new TransferProgress("sent", dicom.Concat(others).Sum(f => f.Size), dicom.Count + others.Count))
        {
            async Task SendAsync(LocalFile file, string? target, CancellationToken token)
            {
                try
                {
                    await using var stream = new ProgressStream(
                        new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.Asynchronous),
                        progress.Add);
                    var report = await client.ImportFileAsync(project, file.ArchivePath, stream, target, token);
                    foreach (var line in report.Files)
                        results.Add(plan.For(file.ArchivePath) is { Referenced: false } disc && line.Outcome is not ("rejected" or "notStored")
                            ? line with { Warnings = [.. line.Warnings, $"on the disc, but {disc.Directory} does not reference it; imported all the same"] }
                            : line);
                }
                catch (Exception e) when (e is TesseraApiException or IOException or HttpRequestException)
                {
                    failures.Add($"{file.ArchivePath}: {e.Message}");
                }
                progress.FileDone();
            }
            var options = new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = ct };
            await Parallel.ForEachAsync(dicom, options, (file, token) => new ValueTask(SendAsync(file, null, token)));
            var sessions = results.Where(r => r.Outcome is "stored" or "duplicate" or "newVersion" && r.Target is not null)
                .Select(r => ImportReport.SessionOf(r.Target!)).Distinct().ToList();
            var otherTarget = session ?? (sessions.Count == 1 ? sessions[0] : null);
            if (otherTarget is null)
            {
                foreach (var file in others)
                {
                    results.Add(new ImportedFileDto(file.ArchivePath, "notStored", sessions.Count == 0
                        ? "not DICOM, and no DICOM file was stored to keep it beside: import it again with --session SUBJECT/SESSION"
                        : $"not DICOM, and the DICOM files went into {sessions.Count} sessions, so which one it belongs to is not clear: import it again with --session SUBJECT/SESSION",
                        null, null, []));
                    progress.Skip(file.Size);
                    progress.FileDone();
                }
            }
            else
            {
                await Parallel.ForEachAsync(others, options, (file, token) => new ValueTask(SendAsync(file, otherTarget, token)));
            }
        }
        return Summarise(project, results, failures, plan.Discs);
    }

    private static bool IsZip(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual("PK\u0003\u0004"u8);
    }

    private static int Summarise(string project, ConcurrentBag<ImportedFileDto> results, ConcurrentBag<string> failures, IReadOnlyList<DiscSummary> discs)
    {
        int Count(string outcome) => results.Count(r => r.Outcome == outcome);
        foreach (var disc in discs)
        {
            Console.WriteLine($"{disc.Name}{(disc.FileSetId is { } id ? $" (file-set {id})" : "")}: {disc.Found} of the {Words.Count(disc.Referenced, "file")} it references found, "
                + $"{disc.Missing} missing, {disc.Refused} refused, {disc.Unreferenced} on the disc but not referenced.");
            if (disc.Error is not null)
                CommandErrors.Error($"{disc.Name}: {disc.Error}");
            foreach (var warning in disc.Warnings)
                Console.WriteLine($"note: {disc.Name}: {warning}");
        }
        Console.WriteLine($"Stored {Count("stored")}, duplicates {Count("duplicate")}, new versions {Count("newVersion")}, "
            + $"rejected {Count("rejected")}, other files stored {Count("storedAsOther")}, not stored {Count("notStored")}, "
            + (discs.Count > 0 || Count("missing") + Count("skipped") > 0 ? $"missing {Count("missing")}, skipped {Count("skipped")}, " : "")
            + $"failed {failures.Count}.");
        // The sessions filled, as paths the other commands take (tessera ls, download, dicom send).
        foreach (var session in results.Where(r => r.Target is not null).Select(r => ImportReport.SessionOf(r.Target!)).Distinct().Order(StringComparer.Ordinal))
            Console.WriteLine($"  {project}/{session.Replace("subjects/", "", StringComparison.Ordinal).Replace("/sessions/", "/", StringComparison.Ordinal)}");
        foreach (var line in results.Where(r => r.Outcome is "rejected" or "notStored" or "missing").OrderBy(r => r.Name, StringComparer.Ordinal))
            CommandErrors.Error($"{line.Name}: {(line.Outcome == "missing" ? "missing" : "not stored")}: {line.Reason}");
        foreach (var line in results.Where(r => r.Warnings.Count > 0).OrderBy(r => r.Name, StringComparer.Ordinal))
            Console.WriteLine($"note: {line.Name}: {string.Join("; ", line.Warnings)}");
        foreach (var failure in failures.Order(StringComparer.Ordinal))
            CommandErrors.Error(failure);
        var bad = results.Any(r => r.Outcome is "rejected" or "notStored" or "missing") || !failures.IsEmpty;
        return bad ? ExitCodes.Failure : ExitCodes.Success;
    }
}
