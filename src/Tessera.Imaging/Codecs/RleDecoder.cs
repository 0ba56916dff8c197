using System.Buffers.Binary;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, then one PackBits segment per byte
/// plane, most significant byte of each sample first, sample by sample (planar by definition).
/// </summary>
public sealed class RleDecoder : IFrameDecoder
{
    public static RleDecoder Instance { get; } = new();

    public string Name => "RLE";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout)
    {
        layout.Validate();
        if (encoded.Length < 64)
            throw ImageException.Malformed($"the RLE frame is {encoded.Length} bytes, shorter than its 64-byte header");
        var bytesPerSample = layout.BytesPerSample;
        if (layout.BitsAllocated == 1)
            return DecodeBitPlane(encoded, layout);
        var segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        var expected = layout.SamplesPerPixel * bytesPerSample;
        if (segments != expected)
            throw ImageException.Malformed($"the RLE header lists {segments} segments; {layout.SamplesPerPixel} sample(s) of {bytesPerSample} byte(s) need {expected}");
        var pixels = layout.Pixels;
        var output = new byte[layout.DecodedBytes];
        var plane = new byte[pixels];
        for (var segment = 0; segment < segments; segment++)
        {
            var (start, end) = SegmentBounds(encoded, segment, segments);
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
    private static PixelFrame DecodeBitPlane(ReadOnlySpan<byte> encoded, PixelLayout layout)
    {
        var segments = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (segments != layout.SamplesPerPixel)
            throw ImageException.Malformed($"the RLE header lists {segments} segments for {layout.SamplesPerPixel} 1-bit sample(s)");
        var (start, end) = SegmentBounds(encoded, 0, segments);
        var packed = new byte[(layout.Pixels + 7) / 8];
        UnpackBits(encoded[start..end], packed, 0);
        return NativeDecoder.Instance.Decode(packed, layout with { SamplesPerPixel = 1 });
    }

    private static (int Start, int End) SegmentBounds(ReadOnlySpan<byte> encoded, int segment, int segments)
    {
        if (segments is < 1 or > 15)
            throw ImageException.Malformed($"the RLE header lists {segments} segments (1 to 15 are allowed)");
        var start = (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded[(4 + segment * 4)..]);
        var end = segment + 1 < segments ? (int)BinaryPrimitives.ReadUInt32LittleEndian(encoded[(8 + segment * 4)..]) : encoded.Length;
        if (start < 64 || start > encoded.Length || end < start || end > encoded.Length)
            throw ImageException.Malformed($"RLE segment {segment + 1} lies at bytes {start}–{end}, outside the {encoded.Length}-byte frame");
        return (start, end);
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
