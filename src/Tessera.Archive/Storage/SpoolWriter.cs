using System.Buffers;
using System.Security.Cryptography;

namespace Tessera.Archive.Storage;

/// <summary>
/// Writes content arriving over the network to a local file ahead of its ingest: hashed on the way
/// (the archive addresses content by SHA-256), and handed to the kernel's write-back at once, so the
/// ingest's fsync finds the data already on its way to disk instead of starting from nothing.
/// </summary>
public static class SpoolWriter
{
    private const int BufferSize = 1 << 18;

    /// <summary>Copies what <paramref name="read"/> yields into a new file at <paramref name="path"/>; returns the lower-case hex SHA-256.</summary>
    /// <param name="read">Fills the buffer from the source; 0 at its end. Its exceptions pass through unchanged.</param>
    public static async Task<string> WriteAsync(Func<Memory<byte>, Task<int>> read, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            long size = 0;
            int count;
            while ((count = await read(buffer.AsMemory(0, BufferSize))) > 0)
            {
                ct.ThrowIfCancellationRequested();
                hash.AppendData(buffer, 0, count);
                // A write into the page cache: quicker inline than handed to another thread.
                RandomAccess.Write(file, buffer.AsSpan(0, count), size);
                size += count;
            }
            NativeFileSystem.StartWriteback(file, 0, size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
