using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.FileSystemGlobbing;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// A job's private folder for one attempt: <c>input/</c> with the target's files, <c>output/</c> for
/// what the tool writes. Made before the tool starts and wiped after, whatever happened.
/// </summary>
public sealed class JobWorkspace : IDisposable
{
    private JobWorkspace(string root) => Root = root;

    public string Root { get; }

    public string Input => Path.Combine(Root, "input");

    public string Output => Path.Combine(Root, "output");

    public static JobWorkspace Create(string parent, Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var root = Path.Combine(Path.GetFullPath(parent), $"{job.Id:N}-{job.Attempt}");
        if (Directory.Exists(root))
            Directory.Delete(root, recursive: true); // left by a crash of this same attempt
        var workspace = new JobWorkspace(root);
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

    /// <summary>Every regular file the tool left in output/, as '/'-separated paths relative to it (links are not followed).</summary>
    public IReadOnlyList<string> OutputFiles() =>
        new DirectoryInfo(Output).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(f => Path.GetRelativePath(Output, f.FullName).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Root))
                Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a process that outlived its job: the next start's sweep removes it.
        }
        catch (UnauthorizedAccessException)
        {
            // A tool made a folder it cannot be deleted from; the sweep at start tries again.
        }
    }
}
