using System.Buffers.Binary;
using System.IO.Compression;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Encoding;

/// <summary>
/// PNG (ISO 15948) written in C# over the runtime's zlib: 8-bit grey, RGB and RGBA, and 16-bit grey for stored
/// values; one filter per row chosen by the smallest sum of absolute differences, as libpng does.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(RasterImage image, CompressionLevel level = CompressionLevel.Fastest)
    {
        var colorType = image.Bands switch { 1 => 0, 3 => 2, _ => 6 };
        return Encode(image.Pixels, image.Width, image.Height, image.Bands, 8, colorType, level);
    }

    /// <summary>16-bit grey from little-endian samples (PNG stores them big endian).</summary>
    public static byte[] EncodeGray16(ReadOnlySpan<byte> littleEndian, int width, int height, CompressionLevel level = CompressionLevel.Fastest)
    {
        var bigEndian = littleEndian.ToArray();
        for (var i = 0; i + 1 < bigEndian.Length; i += 2)
            (bigEndian[i], bigEndian[i + 1]) = (bigEndian[i + 1], bigEndian[i]);
        return Encode(bigEndian, width, height, 1, 16, 0, level);
    }

    private static byte[] Encode(byte[] pixels, int width, int height, int channels, int depth, int colorType, CompressionLevel level)
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = (byte)depth;
        header[9] = (byte)colorType;
        WriteChunk(output, "IHDR"u8, header);
        WriteChunk(output, "IDAT"u8, Compress(pixels, width, height, channels * depth / 8, level));
        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    private static byte[] Compress(byte[] pixels, int width, int height, int pixelBytes, CompressionLevel level)
    {
        var rowBytes = width * pixelBytes;
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, level, leaveOpen: true))
        {
            var candidates = new byte[4][];
            for (var f = 0; f < 4; f++)
                candidates[f] = new byte[rowBytes + 1];
            for (var y = 0; y < height; y++)
            {
                var row = pixels.AsSpan(y * rowBytes, rowBytes);
                var above = y > 0 ? pixels.AsSpan((y - 1) * rowBytes, rowBytes) : default;
                var best = 0;
                var bestScore = long.MaxValue;
                for (var f = 0; f < 4; f++)
                {
                    var score = Filter(f, row, above, pixelBytes, candidates[f]);
                    if (score < bestScore)
                        (best, bestScore) = (f, score);
                }
                zlib.Write(candidates[best]);
            }
        }
        return compressed.ToArray();
    }

    /// <summary>Filters a row with None (0), Sub (1), Up (2) or Paeth (4); returns the sum of the bytes as signed values.</summary>
    private static long Filter(int kind, ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int bpp, Span<byte> into)
    {
        into[0] = (byte)(kind == 3 ? 4 : kind);
        long score = 0;
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0;
            int b = above.IsEmpty ? 0 : above[i];
            int c = i >= bpp && !above.IsEmpty ? above[i - bpp] : 0;
            var predicted = kind switch { 0 => 0, 1 => a, 2 => b, _ => Paeth(a, b, c) };
            var value = (byte)(row[i] - predicted);
            into[i + 1] = value;
            int signed = (sbyte)value;
            score += signed < 0 ? -signed : signed;
        }
        return score;
    }

    internal static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var (pa, pb, pc) = (Math.Abs(p - a), Math.Abs(p - b), Math.Abs(p - c));
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = new System.IO.Hashing.Crc32(); // ISO 3309, as PNG chunks use it
        crc.Append(type);
        crc.Append(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, crc.GetCurrentHashAsUInt32());
        output.Write(word);
    }
}
