using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Tessera.Archive.Storage;

/// <summary>
/// Blobs as files under <c>blobs/ab/cd/abcd…</c>. Content is staged in <c>tmp/</c> on the same
/// filesystem (fsync'd), then renamed into place, so a blob is either whole or absent.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    internal const int BufferSize = 1 << 20;
    private readonly string _root;
    private readonly string _temp;

    public FileSystemBlobStore(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseDirectory = options.Value.ResolveBlobDirectory();
        _root = Path.Combine(baseDirectory, "sha256");
        _temp = Path.Combine(baseDirectory, "tmp");
        System.IO.Directory.CreateDirectory(_root);
        System.IO.Directory.CreateDirectory(_temp);
    }

    public async Task<IStagedBlob> StageAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var tempPath = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(tempPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                BufferSize = 0,
                Options = FileOptions.Asynchronous,
            }))
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
                file.Flush(flushToDisk: true);
            }
            return new Staged(this, tempPath, Convert.ToHexStringLower(hash.GetHashAndReset()), size);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathOf(key);
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

    public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) =>
        Task.FromResult(File.Exists(PathOf(key)));

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        File.Delete(PathOf(key));
        return Task.CompletedTask;
    }

    public Task<int> SweepTemporaryAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var cutoff = DateTime.UtcNow - olderThan;
        var removed = 0;
        foreach (var file in new DirectoryInfo(_temp).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < cutoff)
            {
                file.Delete();
                removed++;
            }
        }
        return Task.FromResult(removed);
    }

    private string PathOf(string key)
    {
        if (key.Length != 64 || !key.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("A blob key is a lower-case hex SHA-256.", nameof(key));
        }
        return Path.Combine(_root, key[..2], key[2..4], key);
    }

    private sealed class Staged(FileSystemBlobStore store, string tempPath, string key, long size) : IStagedBlob
    {
        private bool _committed;

        public string Key { get; } = key;

        public long Size { get; } = size;

        public Task CommitAsync(CancellationToken cancellationToken)
        {
            var target = store.PathOf(Key);
            var directory = Path.GetDirectoryName(target)!;
            var newShard = !System.IO.Directory.Exists(directory);
            System.IO.Directory.CreateDirectory(directory);
            // Rename over an existing blob is harmless: same key, same bytes.
            File.Move(tempPath, target, overwrite: true);
            NativeFileSystem.SyncDirectory(directory);
            if (newShard)
            {
                var parent = Path.GetDirectoryName(directory)!;
                NativeFileSystem.SyncDirectory(parent);
                NativeFileSystem.SyncDirectory(Path.GetDirectoryName(parent)!);
            }
            _committed = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_committed)
            {
                File.Delete(tempPath);
            }
            return ValueTask.CompletedTask;
        }
    }
}
