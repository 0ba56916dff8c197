using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Archive.Storage;

/// <summary>
/// Blobs as files under <c>blobs/sha256/ab/cd/abcd…</c>. Content is staged in this process's folder
/// of <c>tmp/</c> (a <see cref="StagingArea"/>) on the same filesystem (fsync'd), then renamed into
/// place, so a blob is either whole or absent.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore, ILocalBlobFiles
{
    internal const int BufferSize = 1 << 20;
    private readonly string _root;
    private readonly StagingArea _staging;

    public FileSystemBlobStore(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseDirectory = options.Value.ResolveBlobDirectory();
        _root = Path.Combine(baseDirectory, "sha256");
        System.IO.Directory.CreateDirectory(_root);
        _staging = StagingArea.Of(Path.Combine(baseDirectory, "tmp"));
    }

    public async Task<IStagedBlob> StageAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var tempPath = _staging.NewPath();
        // FileShare.None: no other request of this process opens it while it is staged.
        var file = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        try
        {
            var (key, size) = await WriteAndHashAsync(content, file, cancellationToken);
            return new Staged(this, file, tempPath, key, size);
        }
        catch
        {
            File.Delete(tempPath);
            file.Dispose();
            throw;
        }
    }

    public async Task<IStagedBlob> StageFileAsync(string path, string? sha256, CancellationToken cancellationToken) =>
        (await StageFilesAsync([(path, sha256)], cancellationToken))[0];

    public async Task<IReadOnlyList<IStagedBlob>> StageFilesAsync(IReadOnlyList<(string Path, string? Sha256)> files, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        var staged = new List<Staged>(files.Count);
        try
        {
            foreach (var (path, sha256) in files)
            {
                ArgumentException.ThrowIfNullOrEmpty(path);
                var key = sha256 ?? await HashFileAsync(path, cancellationToken);
                var tempPath = _staging.NewPath();
                // A rename when uploads and blobs share a file system; .NET copies across file systems.
                File.Move(path, tempPath);
                SafeFileHandle file;
                try
                {
                    file = File.OpenHandle(tempPath, FileMode.Open, FileAccess.Write, FileShare.None);
                }
                catch
                {
                    File.Delete(tempPath);
                    throw;
                }
                staged.Add(new Staged(this, file, tempPath, key, RandomAccess.GetLength(file)));
            }
            // All written first, then all flushed: the file system gathers the flushes into few journal commits.
            foreach (var blob in staged)
                RandomAccess.FlushToDisk(blob.Handle);
            return staged;
        }
        catch
        {
            foreach (var blob in staged)
                await blob.DisposeAsync();
            throw;
        }
    }

    public Task CommitAsync(IReadOnlyList<IStagedBlob> blobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        // All renamed first, then each directory flushed once (a blob in a new shard needs its parents'
        // too): on a journalling file system the first flush commits the others' renames as well.
        var directories = new List<string>();
        foreach (var blob in blobs)
        {
            var staged = blob as Staged is { } s && s.Store == this ? s : throw new ArgumentException("A blob staged by another store.", nameof(blobs));
            directories.AddRange(staged.Publish());
        }
        foreach (var directory in directories.Distinct(StringComparer.Ordinal))
            NativeFileSystem.SyncDirectory(directory);
        return Task.CompletedTask;
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = OpenSequential(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static FileStream OpenSequential(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);

    /// <summary>
    /// Copies <paramref name="content"/> to a new file while hashing it, as a two-stage pipeline:
    /// each chunk is read and hashed on this thread while the previous chunk is written on a pool
    /// thread, and written ranges are handed to the kernel's write-back as they complete, so the
    /// disk is busy during the transfer instead of only at the final fsync.
    /// </summary>
    private static async Task<(string Key, long Size)> WriteAndHashAsync(
        Stream content, SafeFileHandle file, CancellationToken cancellationToken)
    {
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize)];
        Task writing = Task.CompletedTask;
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var writer = new WriteBehind(file);
            long size = 0;
            for (var index = 0; ; index ^= 1)
            {
                var buffer = buffers[index];
                var read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken);
                if (read == 0)
                {
                    break;
                }
                hash.AppendData(buffer, 0, read);
                await writing;
                var offset = size;
                writing = Task.Run(() => writer.Write(buffer.AsSpan(0, read), offset), cancellationToken);
                size += read;
            }
            await writing;
            RandomAccess.FlushToDisk(file);
            return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        finally
        {
            // A failed read must not hand a buffer back while a write still uses it.
            await writing.ContinueWith(_ => { }, TaskScheduler.Default);
            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = BlobPath(key);
        try
        {
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (FileNotFoundException)
        {
            throw new BlobMissingException(key);
        }
        catch (DirectoryNotFoundException)
        {
            throw new BlobMissingException(key);
        }
    }

    public async Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var stream = await OpenReadAsync(key, cancellationToken);
        stream.Seek(offset, SeekOrigin.Begin);
        return new RangeStream(stream, length);
    }

    public ILocalBlobFiles LocalFiles => this;

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(BlobPath(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(BlobPath(key));
        return Task.CompletedTask;
    }

    public Task<int> SweepTemporaryAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var removed = _staging.SweepOrphans(cutoff);
        // Files straight in tmp/ were staged by versions before owner folders: by age, unless still held.
        foreach (var file in new DirectoryInfo(_staging.Parent).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff && !IsLockedByWriter(file.FullName))
            {
                file.Delete();
                removed++;
            }
        }
        return Task.FromResult(removed);
    }

    /// <summary>True while a live upload holds the staging file.</summary>
    private static bool IsLockedByWriter(string path)
    {
        try
        {
            using var probe = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.None);
            return false;
        }
        catch (IOException) when (File.Exists(path))
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public string? PathOf(string key)
    {
        var path = BlobPath(key);
        return File.Exists(path) ? path : null;
    }

    internal string BlobPath(string key)
    {
        if (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A blob key is a lower-case hex SHA-256.", nameof(key));
        }
        return Path.Combine(_root, key[..2], key[2..4], key);
    }

    /// <summary>Writes chunks at offsets and starts write-back every <see cref="WritebackBytes"/>.</summary>
    private sealed class WriteBehind(SafeFileHandle file)
    {
        private const long WritebackBytes = 16 << 20;
        private long _flushedTo;

        public void Write(ReadOnlySpan<byte> chunk, long offset)
        {
            RandomAccess.Write(file, chunk, offset);
            var end = offset + chunk.Length;
            if (end - _flushedTo >= WritebackBytes)
            {
                NativeFileSystem.StartWriteback(file, _flushedTo, end - _flushedTo);
                _flushedTo = end;
            }
        }
    }

    private sealed class Staged(FileSystemBlobStore store, SafeFileHandle file, string tempPath, string key, long size)
        : IStagedBlob
    {
        private bool _committed;

        public FileSystemBlobStore Store => store;

        public SafeFileHandle Handle => file;

        public string Key { get; } = key;

        public long Size { get; } = size;

        public Task CommitAsync(CancellationToken cancellationToken) => store.CommitAsync([this], cancellationToken);

        /// <summary>Renames the blob into place; returns the directories to flush for the rename to be durable.</summary>
        public IEnumerable<string> Publish()
        {
            var target = store.BlobPath(Key);
            var directory = Path.GetDirectoryName(target)!;
            var newShard = !System.IO.Directory.Exists(directory);
            System.IO.Directory.CreateDirectory(directory);
            // Rename over an existing blob is harmless: same key, same bytes.
            File.Move(tempPath, target, overwrite: true);
            _committed = true;
            file.Dispose();
            if (!newShard)
                return [directory];
            var parent = Path.GetDirectoryName(directory)!;
            return [directory, parent, Path.GetDirectoryName(parent)!];
        }

        public ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                File.Delete(tempPath);
            }
            file.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
