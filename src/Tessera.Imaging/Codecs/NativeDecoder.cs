using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// Uncompressed pixel data (little endian, as a reader leaves it): bit-packed 1-bit data is unpacked, planar
/// configuration 1 is interleaved, and YBR_FULL_422's shared chroma (PS3.3 C.7.6.3.1.2) is expanded to YBR_FULL.
/// </summary>
public sealed class NativeDecoder : IFrameDecoder
{
    public static NativeDecoder Instance { get; } = new();

    public string Name => "uncompressed";

    /// <summary>The bytes a stored frame of this layout occupies (rounded up to a byte for 1-bit data).</summary>
    public static long StoredBytes(PixelLayout layout)
    {
        if (layout.BitsAllocated == 1)
            return ((long)layout.Pixels * layout.SamplesPerPixel + 7) / 8;
        var samples = layout.Photometric == Photometric.YbrFull422 && layout.SamplesPerPixel == 3
            ? (long)layout.Pixels * 2
            : (long)layout.Pixels * layout.SamplesPerPixel;
        return samples * layout.BytesPerSample;
    }

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits) => DecodeAt(encoded, 0, layout, limits);

    /// <summary>Decodes a frame that starts <paramref name="bitOffset"/> bits into <paramref name="encoded"/> (1-bit frames need not start on a byte).</summary>
    public static PixelFrame DecodeAt(ReadOnlySpan<byte> encoded, int bitOffset, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        var needed = layout.BitsAllocated == 1
            ? ((long)layout.Pixels * layout.SamplesPerPixel + bitOffset + 7) / 8
            : StoredBytes(layout);
        if (encoded.Length < needed)
            throw ImageException.Malformed($"the pixel data holds {encoded.Length} bytes, but a {layout.Columns} x {layout.Rows} frame needs {needed}");
        var output = new byte[layout.DecodedBytes];
        var result = layout with { Planar = false };
        if (layout.BitsAllocated == 1)
        {
            UnpackBits(encoded, bitOffset, output);
            return new PixelFrame(result with { BitsAllocated = 8, BitsStored = 1, HighBit = 0 }, output);
        }
        if (layout.Photometric == Photometric.YbrFull422 && layout.SamplesPerPixel == 3)
        {
            Expand422(encoded, output, layout);
            return new PixelFrame(result with { Photometric = Photometric.YbrFull }, output);
        }
        if (layout.Planar && layout.SamplesPerPixel > 1)
            Interleave(encoded, output, layout.Pixels, layout.SamplesPerPixel, layout.BytesPerSample);
        else
            encoded[..output.Length].CopyTo(output);
        return new PixelFrame(result, output);
    }

    private static void UnpackBits(ReadOnlySpan<byte> packed, int bitOffset, Span<byte> output)
    {
        for (var i = 0; i < output.Length; i++)
        {
            var bit = i + bitOffset;
            output[i] = (byte)((packed[bit >> 3] >> (bit & 7)) & 1);
        }
    }

    /// <summary>Planes R…G…B… to pixels RGBRGB…</summary>
    internal static void Interleave(ReadOnlySpan<byte> planar, Span<byte> output, int pixels, int samples, int bytesPerSample)
    {
        var plane = pixels * bytesPerSample;
        for (var s = 0; s < samples; s++)
        {
            var source = planar.Slice(s * plane, plane);
            for (var p = 0; p < pixels; p++)
            {
                var to = (p * samples + s) * bytesPerSample;
                source.Slice(p * bytesPerSample, bytesPerSample).CopyTo(output[to..]);
            }
        }
    }

    /// <summary>Each pair of pixels is stored Y1 Y2 Cb Cr; an odd last column has its own pair.</summary>
    private static void Expand422(ReadOnlySpan<byte> encoded, Span<byte> output, PixelLayout layout)
    {
        if (layout.BytesPerSample != 1)
            throw ImageException.Unsupported("YBR_FULL_422 is supported with 8-bit samples only");
        var columns = layout.Columns;
        var rowBytes = (columns + 1) / 2 * 4;
        for (var y = 0; y < layout.Rows; y++)
        {
            var row = encoded.Slice(y * columns * 2);
            for (var x = 0; x < columns; x += 2)
            {
                var quad = row.Slice(x * 2, Math.Min(4, row.Length - x * 2));
                if (quad.Length < 4)
                    throw ImageException.Malformed($"the YBR_FULL_422 pixel data ends inside row {y + 1} ({rowBytes} bytes a row expected)");
                var to = (y * columns + x) * 3;
                output[to] = quad[0];
                output[to + 1] = quad[2];
                output[to + 2] = quad[3];
                if (x + 1 < columns)
                {
                    output[to + 3] = quad[1];
                    output[to + 4] = quad[2];
                    output[to + 5] = quad[3];
                }
            }
        }
    }
}
