using System.Buffers.Binary;
using System.IO.Compression;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Encoding;

/// <summary>
/// Reads a non-interlaced PNG of any colour type and bit depth into a <see cref="PixelFrame"/>: grey or RGB
/// samples (alpha dropped, palettes expanded), 8 or 16 bits, little endian like every decoded frame.
/// </summary>
public static class PngDecoder
{
    /// <param name="maxPixels">Larger images are refused before anything is allocated for them.</param>
    public static PixelFrame Decode(Stream input, long maxPixels = 1L << 30)
    {
        Span<byte> signature = stackalloc byte[8];
        if (input.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || signature[1] != 'P' || signature[2] != 'N' || signature[3] != 'G')
            throw ImageException.Malformed("the data is not a PNG file (bad signature)");
        var (width, height, depth, colorType, interlace) = (0, 0, 0, 0, 0);
        byte[]? palette = null;
        using var compressed = new MemoryStream();
        Span<byte> head = stackalloc byte[8];
        while (true)
        {
            if (input.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8)
                throw ImageException.Malformed("the PNG file ends before its IEND chunk (truncated)");
            var length = BinaryPrimitives.ReadInt32BigEndian(head);
            var type = System.Text.Encoding.ASCII.GetString(head[4..]);
            if (length < 0)
                throw ImageException.Malformed($"the PNG chunk {type} claims a negative length");
            var data = new byte[length];
            if (input.ReadAtLeast(data, length, throwOnEndOfStream: false) < length || input.ReadAtLeast(head[..4], 4, throwOnEndOfStream: false) < 4)
                throw ImageException.Malformed($"the PNG chunk {type} is truncated");
            switch (type)
            {
                case "IHDR":
                    if (length < 13)
                        throw ImageException.Malformed("the PNG header chunk is too short");
                    (width, height) = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(4)));
                    (depth, colorType, interlace) = (data[8], data[9], data[12]);
                    if ((long)width * height > maxPixels)
                        throw ImageException.Unsupported($"a {width} x {height} PNG is larger than is decoded whole ({maxPixels} pixels)");
                    break;
                case "PLTE":
                    palette = data;
                    break;
                case "IDAT":
                    compressed.Write(data);
                    break;
                case "IEND":
                    return Unfilter(compressed, width, height, depth, colorType, interlace, palette);
            }
        }
    }

    private static PixelFrame Unfilter(MemoryStream compressed, int width, int height, int depth, int colorType, int interlace, byte[]? palette)
    {
        if (width <= 0 || height <= 0)
            throw ImageException.Malformed("the PNG file has no header or an empty image");
        if (interlace != 0)
            throw ImageException.Unsupported("interlaced PNG is not supported");
        var channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw ImageException.Malformed($"the PNG colour type {colorType} is not defined") };
        var bitsPerPixel = channels * depth;
        var rowBytes = (width * bitsPerPixel + 7) / 8;
        var bpp = Math.Max(1, bitsPerPixel / 8);
        var raw = new byte[(long)(rowBytes + 1) * height];
        compressed.Position = 0;
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress))
        {
            try
            {
                if (zlib.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false) < raw.Length)
                    throw ImageException.Malformed("the PNG image data ends early (truncated)");
            }
            catch (InvalidDataException e)
            {
                throw new ImageException(ImageErrorKind.Malformed, $"the PNG image data does not inflate: {e.Message}", e);
            }
        }
        var rows = new byte[rowBytes * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (rowBytes + 1)];
            var source = raw.AsSpan(y * (rowBytes + 1) + 1, rowBytes);
            var row = rows.AsSpan(y * rowBytes, rowBytes);
            var above = y > 0 ? rows.AsSpan((y - 1) * rowBytes, rowBytes) : default;
            for (var i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = above.IsEmpty ? 0 : above[i], c = i >= bpp && !above.IsEmpty ? above[i - bpp] : 0;
                row[i] = (byte)(source[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => PngEncoder.Paeth(a, b, c),
                    _ => throw ImageException.Malformed($"the PNG row filter {filter} is not defined"),
                });
            }
        }
        return ToFrame(rows, width, height, depth, colorType, channels, rowBytes, palette);
    }

    private static PixelFrame ToFrame(byte[] rows, int width, int height, int depth, int colorType, int channels, int rowBytes, byte[]? palette)
    {
        var colour = colorType is 2 or 3 or 6;
        var outChannels = colour ? 3 : 1;
        var outBytes = depth == 16 ? 2 : 1;
        var output = new byte[width * height * outChannels * outBytes];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < outChannels; c++)
                {
                    int value;
                    if (colorType == 3)
                    {
                        var index = Sample(rows, y * rowBytes, x, depth);
                        if (palette is null || index * 3 + 2 >= palette.Length)
                            throw ImageException.Malformed("a PNG palette index lies outside its palette");
                        value = palette[index * 3 + c];
                    }
                    else
                    {
                        value = Sample(rows, y * rowBytes, x * channels + c, depth);
                        if (depth < 8)
                            value = value * 255 / ((1 << depth) - 1);
                    }
                    var to = ((y * width + x) * outChannels + c) * outBytes;
                    if (outBytes == 2)
                        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(to), (ushort)value);
                    else
                        output[to] = (byte)value;
                }
            }
        }
        var layout = new PixelLayout
        {
            Rows = height,
            Columns = width,
            SamplesPerPixel = outChannels,
            BitsAllocated = outBytes * 8,
            BitsStored = outBytes * 8,
            HighBit = outBytes * 8 - 1,
            Photometric = colour ? Photometric.Rgb : Photometric.Monochrome2,
        };
        return new PixelFrame(layout, output);
    }

    private static int Sample(byte[] rows, int rowStart, int index, int depth) => depth switch
    {
        16 => rows[rowStart + index * 2] << 8 | rows[rowStart + index * 2 + 1],
        8 => rows[rowStart + index],
        _ => (rows[rowStart + index * depth / 8] >> (8 - depth - index * depth % 8)) & ((1 << depth) - 1),
    };
}
