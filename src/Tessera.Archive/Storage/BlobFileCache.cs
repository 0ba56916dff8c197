using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Tessera.Archive.Storage;

/// <summary>
/// Node-local copies of blobs, for readers that need a file when the store keeps none (an object store): each blob
/// is downloaded once (concurrent askers share the download) into <see cref="StorageOptions.FileCacheDirectory"/>
/// under its key, and the least recently used copies are deleted beyond <see cref="StorageOptions.FileCacheMegabytes"/>.
/// Blobs never change under a key, so a copy is never stale. A copy deleted while a reader holds it open stays
/// readable (Linux keeps the inode until the last handle closes).
/// </summary>
public sealed class BlobFileCache(IBlobStore blobs, IOptions<StorageOptions> options)
{
    private sealed class Entry(long size)
    {
        public long Size { get; } = size;

        public long LastUse { get; set; } = Environment.TickCount64;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _downloads = new(StringComparer.Ordinal);
    private readonly Lock _evicting = new();
    private int _scanned;
    private long _total;

    private string Directory => options.Value.ResolveFileCacheDirectory();

    private long Capacity => (long)options.Value.FileCacheMegabytes << 20;

    /// <summary>The local copy's path, downloading the blob first when there is none.</summary>
    public async Task<string> GetAsync(string key, CancellationToken ct)
    {
        ScanOnce();
        if (TryGet(key) is { } path)
            return path;
        return await _downloads.GetOrAdd(key, k => new Lazy<Task<string>>(() => DownloadAsync(k))).Value.WaitAsync(ct);
    }

    /// <summary>The local copy's path when there is one (nothing is downloaded).</summary>
    public string? TryGet(string key)
    {
        ScanOnce();
        var path = PathOf(key);
        if (!_entries.TryGetValue(key, out var entry) || !File.Exists(path))
            return null;
        entry.LastUse = Environment.TickCount64;
        return path;
    }

    private async Task<string> DownloadAsync(string key)
    {
        try
        {
            var path = PathOf(key);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var part = path + "." + Guid.NewGuid().ToString("N") + ".part";
            try
            {
                // Not the asker's cancellation: others may wait for the same download.
                await using (var source = await blobs.OpenReadAsync(key, CancellationToken.None))
                await using (var target = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    await source.CopyToAsync(target, 1 << 20);
                File.Move(part, path, overwrite: true);
            }
            finally
            {
                File.Delete(part);
            }
            var size = new FileInfo(path).Length;
            if (_entries.TryAdd(key, new Entry(size)))
                Interlocked.Add(ref _total, size);
            Evict(keep: key);
            return path;
        }
        finally
        {
            // Over, done or failed, once the copy is known: the next asker finds it, or tries again.
            _downloads.TryRemove(key, out _);
        }
    }

    /// <summary>Deletes the least recently used copies until the cache fits (never the one just made).</summary>
    private void Evict(string keep)
    {
        if (Interlocked.Read(ref _total) <= Capacity)
            return;
        lock (_evicting)
        {
            foreach (var (key, entry) in _entries.Where(e => e.Key != keep).OrderBy(e => e.Value.LastUse).ToList())
            {
                if (Interlocked.Read(ref _total) <= Capacity)
                    break;
                if (!_entries.TryRemove(key, out _))
                    continue;
                File.Delete(PathOf(key));
                Interlocked.Add(ref _total, -entry.Size);
            }
        }
    }

    /// <summary>Copies left by an earlier run count against the capacity (unused since then: oldest first to go).</summary>
    private void ScanOnce()
    {
        if (Interlocked.Exchange(ref _scanned, 1) == 1 || !System.IO.Directory.Exists(Directory))
            return;
        foreach (var file in new DirectoryInfo(Directory).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (file.Name.EndsWith(".part", StringComparison.Ordinal))
            {
                file.Delete();
                continue;
            }
            if (IsKey(file.Name) && _entries.TryAdd(file.Name, new Entry(file.Length) { LastUse = 0 }))
                Interlocked.Add(ref _total, file.Length);
        }
    }

    private string PathOf(string key) =>
        IsKey(key) ? Path.Combine(Directory, key[..2], key) : throw new ArgumentException("A blob key is a lower-case hex SHA-256.", nameof(key));

    private static bool IsKey(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);
}
