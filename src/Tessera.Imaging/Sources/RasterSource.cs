using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>An image that fits in memory as one level (a PNG, a JPEG, a decoded DICOM frame).</summary>
public sealed class RasterSource(RasterImage image, string format, (double X, double Y)? pixelSize = null) : IImageSource
{
    public ImageDescription Description { get; } = new()
    {
        Format = format,
        Levels = [new ImageLevel(image.Width, image.Height, image.Width, image.Height, 1)],
        Bands = image.Bands == 1 ? 1 : 3,
        PixelSize = pixelSize,
    };

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options) => Crop(image, region);

    /// <summary>Copies a rectangle out of an image (clipped to it).</summary>
    public static RasterImage Crop(RasterImage image, PixelRect region)
    {
        if (region is { X: 0, Y: 0 } && region.Width == image.Width && region.Height == image.Height)
            return image;
        var x = Math.Clamp(region.X, 0, image.Width - 1);
        var y = Math.Clamp(region.Y, 0, image.Height - 1);
        var width = Math.Clamp(region.Width, 1, image.Width - x);
        var height = Math.Clamp(region.Height, 1, image.Height - y);
        var bands = image.Bands;
        var output = new byte[width * height * bands];
        for (var row = 0; row < height; row++)
            image.Pixels.AsSpan(((y + row) * image.Width + x) * bands, width * bands).CopyTo(output.AsSpan(row * width * bands));
        return new RasterImage(width, height, bands, output);
    }

    public void Dispose()
    {
    }
}
