using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Encoding;

/// <summary>
/// Reads a non-interlaced PNG of any colour type and bit depth into a <see cref="PixelFrame"/>: grey or RGB
/// samples (alpha dropped, palettes expanded), 8 or 16 bits, little endian like every decoded frame.
/// </summary>
public static class PngDecoder
{
    /// <param name="maxPixels">Larger images are refused from their header, before anything is allocated for them.</param>
    public static PixelFrame Decode(Stream input, long maxPixels = Codecs.DecodeLimits.DefaultMaxPixels)
    {
        using var rows = new PngRows(input, maxPixels);
        var outChannels = rows.Colour ? 3 : 1;
        var outBytes = rows.Depth == 16 ? 2 : 1;
        var stride = Codecs.DecodeLimits.BufferSize("a decoded PNG row", rows.Width, outChannels, outBytes);
        var output = new byte[Codecs.DecodeLimits.BufferSize("the decoded PNG", stride, rows.Height)];
        for (var y = 0; y < rows.Height; y++)
            rows.ToSamples(rows.Next(), output.AsSpan(y * stride, stride), wide: true);
        var layout = new PixelLayout
        {
            Rows = rows.Height,
            Columns = rows.Width,
            SamplesPerPixel = outChannels,
            BitsAllocated = outBytes * 8,
            BitsStored = outBytes * 8,
            HighBit = outBytes * 8 - 1,
            Photometric = rows.Colour ? Photometric.Rgb : Photometric.Monochrome2,
        };
        return new PixelFrame(layout, output);
    }
}
