using System.Buffers.Binary;

namespace Tessera.Dicom;

/// <summary>Opens the stream a dataset was read from, to fetch values that were left there.</summary>
public interface IBulkDataSource
{
    /// <summary>A new readable, seekable stream over the source; the caller disposes it.</summary>
    Stream Open();
}

/// <summary>A file on disk as a bulk data source.</summary>
public sealed class FileBulkDataSource(string path) : IBulkDataSource
{
    public string Path { get; } = path;

    public Stream Open() => new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
}

/// <summary>A value left in its source: where it is, how long, and the byte order it was stored in.</summary>
/// <param name="WordSize">The size of the numbers in the value (<see cref="DicomVrInfo.WordSize"/>), for byte swapping.</param>
public sealed record BulkDataReference(IBulkDataSource Source, long Offset, long Length, int WordSize = 1, bool BigEndian = false)
{
    /// <summary>Values past this size are not loaded into one array.</summary>
    public const long MaxInMemoryLength = int.MaxValue - 64;

    public byte[] ReadAll()
    {
        if (Length > MaxInMemoryLength)
            throw new DicomException($"a value of {Length} bytes is too large to load into memory; stream it instead", Offset);
        var buffer = new byte[Length];
        using var stream = Source.Open();
        stream.Seek(Offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        if (BigEndian)
            ByteOrder.Swap(buffer, WordSize);
        return buffer;
    }

    /// <summary>Reverses the byte order of each word of <paramref name="wordSize"/> bytes, in place.</summary>
    public static void Swap(Span<byte> bytes, int wordSize) => ByteOrder.Swap(bytes, wordSize);

    /// <summary>Copies the value in chunks, in the byte order asked for; memory stays flat whatever its size.</summary>
    public void CopyTo(Stream destination, bool bigEndian = false)
    {
        using var stream = Source.Open();
        stream.Seek(Offset, SeekOrigin.Begin);
        var buffer = new byte[Math.Min(Length, 1 << 20)];
        var remaining = Length;
        while (remaining > 0)
        {
            var n = (int)Math.Min(remaining, buffer.Length);
            stream.ReadExactly(buffer, 0, n);
            if (BigEndian != bigEndian)
                ByteOrder.Swap(buffer.AsSpan(0, n), WordSize);
            destination.Write(buffer, 0, n);
            remaining -= n;
        }
    }
}

internal static class ByteOrder
{
    /// <summary>Reverses each word in place; a trailing partial word (a malformed odd length) is left alone.</summary>
    public static void Swap(Span<byte> bytes, int wordSize)
    {
        if (wordSize < 2)
            return;
        var whole = bytes.Length - bytes.Length % wordSize;
        switch (wordSize)
        {
            case 2:
                var shorts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(bytes[..whole]);
                BinaryPrimitives.ReverseEndianness(shorts, shorts);
                break;
            case 4:
                var ints = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(bytes[..whole]);
                BinaryPrimitives.ReverseEndianness(ints, ints);
                break;
            case 8:
                var longs = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes[..whole]);
                BinaryPrimitives.ReverseEndianness(longs, longs);
                break;
        }
    }
}
