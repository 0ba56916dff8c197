using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// A JPEG too large to decode whole, before its pyramid is built. libjpeg-turbo decodes it once at 1/2, 1/4 or 1/8
/// of its size (the first that fits <see cref="PreviewPixels"/>, or at worst 1/8 if that fits the decode limit),
/// which answers every view of that resolution or coarser. Finer views wait for the pyramid: TurboJPEG 2.1 cannot
/// decode part of a picture, and the whole of it would not keep memory bounded.
/// </summary>
public sealed class JpegPreviewSource : IImageSource
{
    public const long PreviewPixels = 16L << 20;

    private readonly RasterImage _preview;

    private JpegPreviewSource(int width, int height, RasterImage preview, int denominator)
    {
        _preview = preview;
        Description = new ImageDescription
        {
            Format = "JPEG",
            Levels = [new ImageLevel(width, height, width, height, 1), new ImageLevel(preview.Width, preview.Height, preview.Width, preview.Height, denominator)],
            Bands = preview.Bands,
        };
    }

    /// <summary>Decodes the preview; <see cref="ImageException"/> (NeedsPyramid) when even 1/8 is over <paramref name="maxPixels"/>.</summary>
    public static JpegPreviewSource Open(byte[] jpeg, int width, int height, long maxPixels)
    {
        ArgumentNullException.ThrowIfNull(jpeg);
        var denominator = 2;
        while (denominator < 8 && Pixels(width, height, denominator) > PreviewPixels)
            denominator *= 2;
        if (Pixels(width, height, denominator) > Math.Max(PreviewPixels, maxPixels))
            throw ImageException.NeedsPyramid($"the {width} x {height} JPEG is too large to show even at 1/8 of its size: it is shown once its pyramid is built");
        // The reduced size is computed again from the header libjpeg-turbo reads, and held to the same bound.
        var frame = JpegDecoder.DecodeFileReduced(jpeg, denominator, Math.Max(PreviewPixels, maxPixels));
        return new JpegPreviewSource(width, height, new RasterImage(frame.Width, frame.Height, frame.Layout.SamplesPerPixel, frame.Data), denominator);
    }

    private static long Pixels(int width, int height, int denominator) =>
        (long)((width + denominator - 1) / denominator) * ((height + denominator - 1) / denominator);

    public ImageDescription Description { get; }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options) => level > 0
        ? RasterSource.Crop(_preview, region)
        : throw ImageException.NeedsPyramid(
            $"the {Description.Width} x {Description.Height} JPEG is shown at full resolution once its pyramid is built; until then at 1/{Description.Levels[1].Downsample} of its size");

    public void Dispose()
    {
    }
}
