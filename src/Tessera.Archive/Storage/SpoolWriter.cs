using System.Security.Cryptography;

namespace Tessera.Archive.Storage;

/// <summary>
/// Writes content arriving over the network to a local file ahead of its ingest, hashing it on the
/// way (the archive addresses content by SHA-256). Where the file system allows, the file is written
/// directly to the disk from aligned buffers, past the page cache: no copy of the bytes, no cache
/// pages to fill and write back, and the ingest's fsync finds the data already on the disk.
/// </summary>
public static class SpoolWriter
{
    /// <summary>Copies what <paramref name="read"/> yields into a new file at <paramref name="path"/>; returns the lower-case hex SHA-256.</summary>
    /// <param name="read">Fills (part of) the buffer from the source; 0 at its end. Its exceptions pass through unchanged.</param>
    /// <remarks>
    /// Two stages: while one buffer is hashed and written on a pool thread, the next is filled, so a
    /// request's bytes are taken off the network at the pace of the slower stage, not of both.
    /// </remarks>
    public static async Task<string> WriteAsync(Func<Memory<byte>, Task<int>> read, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var first = AlignedBuffer.Rent();
        using var second = AlignedBuffer.Rent();
        var storing = Task.CompletedTask;
        var direct = NativeFileSystem.CreateDirect(path);
        try
        {
            using var file = direct ?? File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            long size = 0;
            for (var next = first; ; next = next == first ? second : first)
            {
                var buffer = next;
                var filled = await FillAsync(read, buffer.Memory);
                await storing;
                if (filled == 0)
                    break;
                ct.ThrowIfCancellationRequested();
                var offset = size;
                storing = Task.Run(() =>
                {
                    hash.AppendData(buffer.Memory.Span[..filled]);
                    // A direct write covers whole blocks: the last one is padded with zeros, and the file cut to size below.
                    var length = direct is null ? filled : (filled + AlignedBuffer.Alignment - 1) / AlignedBuffer.Alignment * AlignedBuffer.Alignment;
                    buffer.Memory.Span[filled..length].Clear();
                    RandomAccess.Write(file, buffer.Memory.Span[..length], offset);
                }, ct);
                size += filled;
                if (filled < AlignedBuffer.Size)
                {
                    await storing;
                    break;
                }
            }
            if (direct is not null)
                RandomAccess.SetLength(file, size);
            else
                NativeFileSystem.StartWriteback(file, 0, size);
        }
        finally
        {
            // A failed read must not hand a buffer back while the other stage still uses it.
            await storing.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Reads until the buffer is full or the source ends (direct writes want whole buffers).</summary>
    private static async Task<int> FillAsync(Func<Memory<byte>, Task<int>> read, Memory<byte> buffer)
    {
        var filled = 0;
        int count;
        while (filled < buffer.Length && (count = await read(buffer[filled..])) > 0)
            filled += count;
        return filled;
    }
}
