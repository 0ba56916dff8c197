using System.Globalization;

namespace Tessera.Archive.Storage;

/// <summary>
/// This process's own folder for temporary files inside a shared one (<c>blobs/tmp</c>,
/// <c>uploads/import</c>): <c>owner-&lt;id&gt;/</c>, whose <c>.owner</c> file this process holds
/// locked (<see cref="FileShare.None"/>: an exclusive advisory lock) for as long as it runs. The
/// kernel drops the lock when the process ends, however it ends (kill -9 and OOM kills included),
/// so any process on the same folder (a restarted server, another node on a shared store) tells an
/// orphaned folder by taking its lock, and deletes it at once; a folder whose lock is held is never
/// touched, whatever its age.
/// </summary>
public sealed class StagingArea
{
    /// <summary>The prefix of owner folders; nothing else in the parent is taken for one.</summary>
    public const string OwnerPrefix = "owner-";

    private const string LockName = ".owner";
    private const string NewPrefix = ".new-";
    private static readonly Dictionary<string, StagingArea> Areas = new(StringComparer.Ordinal);

    // Held, never read or written, until the process exits: the lock is what says the folder is live.
    private readonly FileStream _lock;

    private StagingArea(string parent, string directory, FileStream ownerLock, bool locksHold)
    {
        Parent = parent;
        Directory = directory;
        _lock = ownerLock;
        LocksHold = locksHold;
    }

    public string Parent { get; }

    /// <summary>This process's folder: temporary files are created here.</summary>
    public string Directory { get; }

    /// <summary>
    /// Whether a second exclusive open of a locked file failed here, as it must for a lock to say
    /// anything (false where locking is disabled, or emulated per process as on some NFS mounts):
    /// without that, other owners' folders are swept by age only.
    /// </summary>
    public bool LocksHold { get; }

    /// <summary>This process's area in <paramref name="parent"/>, made on first use and kept for the process's life.</summary>
    public static StagingArea Of(string parent)
    {
        ArgumentException.ThrowIfNullOrEmpty(parent);
        parent = Path.GetFullPath(parent);
        lock (Areas)
        {
            if (!Areas.TryGetValue(parent, out var area))
                Areas[parent] = area = Create(parent);
            return area;
        }
    }

    /// <summary>A new, unused path in this process's folder.</summary>
    public string NewPath(string prefix = "") => Path.Combine(Directory, prefix + Guid.NewGuid().ToString("N"));

    private static StagingArea Create(string parent)
    {
        System.IO.Directory.CreateDirectory(parent);
        var id = Guid.NewGuid().ToString("N");
        // Made under a name no sweeper takes for an owner's, locked, and only then renamed into view: a
        // sweeper never finds an owner folder whose lock is not yet held.
        var building = Path.Combine(parent, NewPrefix + id);
        System.IO.Directory.CreateDirectory(building);
        var ownerLock = new FileStream(Path.Combine(building, LockName), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        var identity = string.Create(CultureInfo.InvariantCulture,
            $"host={Environment.MachineName}\npid={Environment.ProcessId}\nstarted={DateTime.UtcNow:O}\n");
        ownerLock.Write(System.Text.Encoding.UTF8.GetBytes(identity));
        ownerLock.Flush();
        var directory = Path.Combine(parent, OwnerPrefix + id);
        System.IO.Directory.Move(building, directory);
        return new StagingArea(parent, directory, ownerLock, ProbeLocks(parent));
    }

    /// <summary>Takes an exclusive lock on a scratch file, then tries to take it again: it must be refused.</summary>
    private static bool ProbeLocks(string parent)
    {
        var probe = Path.Combine(parent, NewPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            using var first = new FileStream(probe, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
            try
            {
                using var second = new FileStream(probe, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                return false;
            }
            catch (IOException)
            {
                return true;
            }
        }
        finally
        {
            File.Delete(probe);
        }
    }

    /// <summary>
    /// Deletes the folders of owners that are gone (their lock is free), at once, and in other owners'
    /// folders and folders half made only files untouched since <paramref name="abandonedBefore"/>
    /// when locks cannot be trusted here. Returns how many files went.
    /// </summary>
    public int SweepOrphans(DateTime abandonedBefore)
    {
        var removed = 0;
        foreach (var folder in new DirectoryInfo(Parent).EnumerateDirectories())
        {
            if (IsOwnedHere(folder.FullName))
            {
                continue;
            }
            try
            {
                if (folder.Name.StartsWith(OwnerPrefix, StringComparison.Ordinal))
                {
                    removed += LocksHold ? DeleteIfOrphaned(folder) : DeleteOlderFiles(folder, abandonedBefore);
                }
                else if (folder.Name.StartsWith(NewPrefix, StringComparison.Ordinal) && folder.LastWriteTimeUtc < abandonedBefore)
                {
                    // A start cut short between making its folder and showing it: it never staged anything.
                    removed += DeleteOlderFiles(folder, DateTime.MaxValue) + DeleteFolder(folder);
                }
            }
            catch (DirectoryNotFoundException)
            {
                // Another node swept it first.
            }
        }
        return removed;
    }

    /// <summary>Whether a folder is one of this process's areas: never probed, for closing a probe would drop its lock where locks are per process.</summary>
    private static bool IsOwnedHere(string folder)
    {
        lock (Areas)
            return Areas.Values.Any(a => string.Equals(a.Directory, folder, StringComparison.Ordinal));
    }

    /// <summary>Deletes an owner's folder if its lock can be taken: the owner is gone, and its files with it.</summary>
    private static int DeleteIfOrphaned(DirectoryInfo folder)
    {
        var lockPath = Path.Combine(folder.FullName, LockName);
        FileStream held;
        try
        {
            held = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (FileNotFoundException)
        {
            // An owner folder always has its lock file; without one it is a leftover of a sweep cut short.
            return DeleteOlderFiles(folder, DateTime.MaxValue) + DeleteFolder(folder);
        }
        catch (IOException)
        {
            return 0; // held: the owner lives
        }
        using (held)
        {
            var removed = 0;
            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.Name != LockName || file.DirectoryName != folder.FullName)
                {
                    file.Delete();
                    removed++;
                }
            }
            // Unlinked while still held: a sweeper elsewhere finds the lock taken or no lock file, never a free lock on a folder being emptied.
            File.Delete(lockPath);
            return removed + DeleteFolder(folder);
        }
    }

    private static int DeleteOlderFiles(DirectoryInfo folder, DateTime before)
    {
        var removed = 0;
        foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.Name != LockName && file.LastWriteTimeUtc < before)
            {
                file.Delete();
                removed++;
            }
        }
        return removed;
    }

    private static int DeleteFolder(DirectoryInfo folder)
    {
        try
        {
            folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Already gone, or something was written into it meanwhile: the next sweep sees.
        }
        return 0;
    }
}
