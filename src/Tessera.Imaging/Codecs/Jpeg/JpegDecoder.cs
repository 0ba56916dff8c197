using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>
/// DICOM's JPEG family (1.2.840.10008.1.2.4.50, .51, .57, .70): lossless frames go to the C# process-14 decoder,
/// 8-bit DCT frames to libjpeg-turbo, 12-bit DCT frames to the C# sequential decoder.
/// </summary>
public sealed class JpegDecoder : IFrameDecoder
{
    public static JpegDecoder Instance { get; } = new();

    public string Name => "JPEG";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        var data = Trim(encoded);
        var (marker, precision) = JpegStream.PeekFrame(data);
        if (marker == 0xC3)
            return JpegLosslessDecoder.Decode(data.ToArray(), layout, limits);
        if (precision == 8)
            return TurboJpegDecoder.Decode(data, layout, limits);
        if (precision == 12 && marker is 0xC0 or 0xC1)
            return JpegDctDecoder.Decode(data.ToArray(), layout, limits);
        throw ImageException.Unsupported($"JPEG frame type 0x{marker:X2} at {precision} bits is not supported");
    }

    /// <summary>Decodes a JPEG file on its own (no DICOM header to describe it).</summary>
    /// <param name="maxPixels">Larger images are refused from their header, before anything is allocated for them.</param>
    public static PixelFrame DecodeFile(byte[] jpeg, long maxPixels = DecodeLimits.DefaultMaxPixels)
    {
        var (marker, precision) = JpegStream.PeekFrame(jpeg);
        if (marker == 0xC3 || precision != 8)
            throw ImageException.Unsupported($"JPEG files of {precision} bits{(marker == 0xC3 ? " (lossless)" : "")} are not shown; convert them to PNG");
        var layout = TurboJpegDecoder.ReadLayout(jpeg);
        var limits = new DecodeLimits { MaxPixels = maxPixels };
        limits.CheckDeclared("JPEG frame header", layout.Columns, layout.Rows);
        layout.Validate();
        return TurboJpegDecoder.Decode(jpeg, layout, limits);
    }

    /// <summary>A JPEG file decoded at 1/<paramref name="denominator"/> of its size (2, 4 or 8): 8-bit DCT files only.</summary>
    /// <param name="maxPixels">A larger reduced picture is refused before anything is allocated for it.</param>
    public static PixelFrame DecodeFileReduced(byte[] jpeg, int denominator, long maxPixels = DecodeLimits.DefaultMaxPixels)
    {
        var (marker, precision) = JpegStream.PeekFrame(jpeg);
        if (marker == 0xC3 || precision != 8)
            throw ImageException.Unsupported($"JPEG files of {precision} bits{(marker == 0xC3 ? " (lossless)" : "")} are not shown; convert them to PNG");
        return TurboJpegDecoder.DecodeReduced(jpeg, denominator, new DecodeLimits { MaxPixels = maxPixels });
    }

    /// <summary>Fragments are padded to even length, and some writers put bytes before the SOI marker.</summary>
    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> encoded)
    {
        var start = encoded.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8]);
        if (start < 0)
            throw ImageException.Malformed("the JPEG data does not start with a start-of-image marker");
        return encoded[start..];
    }
}
