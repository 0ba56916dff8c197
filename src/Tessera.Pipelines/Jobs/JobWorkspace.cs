using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileSystemGlobbing;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// A job's private folder for one attempt: <c>input/</c> with the target's files, <c>output/</c> for
/// what the tool writes. Made before the tool starts and wiped after, whatever happened. Its outputs
/// are read through <see cref="OutputFolder"/> (never following what the tool made) and copied into
/// <see cref="Collected"/>, a folder beside it that only the server writes.
/// </summary>
public sealed class JobWorkspace : IDisposable
{
    private JobWorkspace(string root) => Root = root;

    public string Root { get; }

    public string Input => Path.Combine(Root, "input");

    public string Output => Path.Combine(Root, "output");

    /// <summary>Where the outputs are copied before they are stored: beside the workspace, out of the tool's reach.</summary>
    public string Collected => Root + ".outputs";

    public static JobWorkspace Create(string parent, Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var root = Path.Combine(Path.GetFullPath(parent), $"{job.Id:N}-{job.Attempt}");
        var workspace = new JobWorkspace(root);
        workspace.Dispose(); // left by a crash of this same attempt
        Directory.CreateDirectory(workspace.Input);
        Directory.CreateDirectory(workspace.Output);
        return workspace;
    }

    /// <summary>
    /// The target's files as the tool sees them in input/ (a session's: <c>RESOURCE/path</c> for its own
    /// resources, <c>scans/N/RESOURCE/path</c> for its scans'; a scan's: <c>RESOURCE/path</c>), only those
    /// that match the tool's patterns when it has any, and not the tool's own earlier results.
    /// </summary>
    public static async Task<IReadOnlyList<StagedInput>> ListInputsAsync(ArchiveDbContext db, Job job, string toolName, IReadOnlyList<string> patterns, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(job);
        var rows = await (
                from f in db.Files.AsNoTracking()
                join r in db.Resources.AsNoTracking() on f.ResourceId equals r.Id
                join s in db.Scans.AsNoTracking() on r.ScanId equals s.Id into scans
                from s in scans.DefaultIfEmpty()
                where r.SessionId == job.SessionId && (job.ScanId == null || r.ScanId == job.ScanId) && r.Label != toolName
                select new { f.Path, f.Sha256, f.Size, Resource = r.Label, Scan = s == null ? null : s.Label })
            .ToListAsync(ct);
        var files = rows.Select(x => new StagedInput((job.ScanId is null && x.Scan is not null ? $"scans/{x.Scan}/" : "") + $"{x.Resource}/{x.Path}", x.Sha256, x.Size)).ToList();
        if (patterns.Count > 0)
        {
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddIncludePatterns(patterns);
            var wanted = matcher.Match("/", files.Select(f => "/" + f.Path)).Files.Select(m => m.Path).ToHashSet(StringComparer.Ordinal);
            files = files.Where(f => wanted.Contains(f.Path)).ToList();
        }
        return files.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>Copies <paramref name="files"/> from the blob store into input/.</summary>
    public async Task StageAsync(IBlobStore blobs, IReadOnlyList<StagedInput> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(files);
        foreach (var file in files)
        {
            var target = Path.Combine(Input, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await using var source = await blobs.OpenReadAsync(file.Sha256, ct);
            await using var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await source.CopyToAsync(copy, 1 << 20, ct);
        }
    }

    public void Dispose()
    {
        Wipe(Root);
        Wipe(Collected);
    }

    /// <summary>
    /// Removes a workspace whatever its tool left in it, without following a link it made: by
    /// <c>rm -rf --one-file-system</c>, whose walk holds each folder open and checks what it enters
    /// (.NET's recursive delete goes by path, which a link swapped in at the wrong moment redirects).
    /// A failure is left for the sweep at the next start.
    /// </summary>
    public static void Wipe(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path) && !File.Exists(path))
            return;
        if (!OperatingSystem.IsLinux())
        {
            Directory.Delete(path, recursive: true);
            return;
        }
        var start = new ProcessStartInfo("rm") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-rf", "--one-file-system", "--", Path.GetFullPath(path) })
            start.ArgumentList.Add(arg);
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        using var process = Process.Start(start)!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
