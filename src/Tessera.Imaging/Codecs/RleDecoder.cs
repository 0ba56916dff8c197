using System.Buffers.Binary;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte
/// plane, most significant byte of each sample first, sample by sample (planar by definition).
/// </summary>
public sealed class RleDecoder : IFrameDecoder
{
    /// <summary>The most bytes one byte of PackBits decodes to: a two-byte run repeats its byte 128 times.</summary>
    private const int MaxExpansion = 64;

    public static RleDecoder Instance { get; } = new();

    public string Name => "RLE";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        if (encoded.Length < 64)
            throw ImageException.Malformed($"the RLE frame is {encoded.Length} bytes, shorter than its 64-byte header");
        var bytesPerSample = layout.BytesPerSample;
        if (layout.BitsAllocated == 1)
            return DecodeBitPlane(encoded, layout, limits);
        var segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        var expected = layout.SamplesPerPixel * bytesPerSample;
        if (segments != expected)
            throw ImageException.Malformed($"the RLE header lists {segments} segments; {layout.SamplesPerPixel} sample(s) of {bytesPerSample} byte(s) need {expected}");
        var pixels = layout.Pixels;
        var bounds = Segments(encoded, segments, pixels, layout);
        var output = new byte[layout.DecodedBytes];
        var plane = new byte[pixels];
        for (var segment = 0; segment < segments; segment++)
        {
            var (start, end) = bounds[segment];
            UnpackBits(encoded[start..end], plane, segment);
            var sample = segment / bytesPerSample;
            var byteInSample = bytesPerSample - 1 - segment % bytesPerSample;
            var stride = layout.SamplesPerPixel * bytesPerSample;
            var to = sample * bytesPerSample + byteInSample;
            for (var p = 0; p < pixels; p++, to += stride)
                output[to] = plane[p];
        }
        return new PixelFrame(layout with { Planar = false }, output);
    }

    /// <summary>1-bit data (segmentations) is one segment of packed bits, rows not padded.</summary>
    private static PixelFrame DecodeBitPlane(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        var segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (segments != layout.SamplesPerPixel)
            throw ImageException.Malformed($"the RLE header lists {segments} segments for {layout.SamplesPerPixel} 1-bit sample(s)");
        var bytes = (layout.Pixels + 7) / 8;
        var (start, end) = Segments(encoded, segments, bytes, layout)[0];
        var packed = new byte[bytes];
        UnpackBits(encoded[start..end], packed, 0);
        return NativeDecoder.DecodeAt(packed, 0, layout with { SamplesPerPixel = 1 }, limits);
    }

    /// <summary>
    /// Where each segment lies, checked before anything is allocated for the frame: inside the frame, and long enough
    /// to fill a plane of <paramref name="planeBytes"/> (PackBits turns two bytes into at most 128).
    /// </summary>
    private static (int Start, int End)[] Segments(ReadOnlySpan<byte> encoded, int segments, int planeBytes, PixelLayout layout)
    {
        if (segments is < 1 or > 15)
            throw ImageException.Malformed($"the RLE header lists {segments} segments (1 to 15 are allowed)");
        var bounds = new (int, int)[segments];
        for (var segment = 0; segment < segments; segment++)
        {
            var start = BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + segment * 4)..]);
            var end = segment + 1 < segments ? BinaryPrimitives.ReadUInt32LittleEndian(encoded[(8 + segment * 4)..]) : (uint)encoded.Length;
            if (start < 64 || start > encoded.Length || end < start || end > encoded.Length)
                throw ImageException.Malformed($"RLE segment {segment + 1} lies at bytes {start}–{end}, outside the {encoded.Length}-byte frame");
            if ((end - start) * (long)MaxExpansion < planeBytes)
            {
                throw ImageException.Malformed(
                    $"RLE segment {segment + 1} holds {end - start} bytes, which decode to at most {(end - start) * (long)MaxExpansion}; the DICOM header's {layout.Columns}×{layout.Rows} frame needs {planeBytes} a segment");
            }
            bounds[segment] = ((int)start, (int)end);
        }
        return bounds;
    }

    /// <summary>PackBits: n in 0..127 copies n+1 bytes, -127..-1 repeats the next byte 1-n times, -128 does nothing.</summary>
    private static void UnpackBits(ReadOnlySpan<byte> source, Span<byte> destination, int segment)
    {
        var written = 0;
        var i = 0;
        while (i < source.Length && written < destination.Length)
        {
            var n = (sbyte)source[i++];
            if (n >= 0)
            {
                var count = Math.Min(n + 1, Math.Min(destination.Length - written, source.Length - i));
                source.Slice(i, count).CopyTo(destination[written..]);
                written += count;
                i += n + 1;
            }
            else if (n != -128)
            {
                if (i >= source.Length)
                    break;
                var count = Math.Min(1 - n, destination.Length - written);
                destination.Slice(written, count).Fill(source[i++]);
                written += count;
            }
        }
        if (written < destination.Length)
            throw ImageException.Malformed($"RLE segment {segment + 1} decodes to {written} bytes, fewer than the {destination.Length} the frame needs");
    }
}
