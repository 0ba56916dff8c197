using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tiles;

/// <summary>An encoded image answer, and whether it is the stored tile sent as it was.</summary>
public sealed record EncodedImage(byte[] Bytes, string MediaType, bool PassedThrough = false);

/// <summary>
/// Cuts a region of full-resolution pixels out of a source at a requested size: from the smallest stored level
/// that still has enough resolution, resized to the exact size asked. A request that is exactly one stored JPEG
/// tile is answered with that tile's bytes.
/// </summary>
public static class ImageRenderer
{
    /// <summary>The region (full-resolution pixels) rendered at <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static RasterImage Region(IImageSource source, PixelRect region, int width, int height, ImagePlane plane, RenderOptions options)
    {
        var description = source.Description;
        var factor = Math.Min((double)region.Width / width, (double)region.Height / height);
        var level = 0;
        for (var i = 1; i < description.Levels.Count; i++)
        {
            if (description.Levels[i].Downsample <= factor * (1 + 1e-9))
                level = i;
        }
        var stored = description.Levels[level];
        var ds = stored.Downsample;
        var x0 = Math.Clamp((int)Math.Floor(region.X / ds), 0, stored.Width - 1);
        var y0 = Math.Clamp((int)Math.Floor(region.Y / ds), 0, stored.Height - 1);
        var x1 = Math.Clamp((int)Math.Ceiling(region.Right / ds), x0 + 1, stored.Width);
        var y1 = Math.Clamp((int)Math.Ceiling(region.Bottom / ds), y0 + 1, stored.Height);
        var pixels = source.Read(level, new PixelRect(x0, y0, x1 - x0, y1 - y0), plane, options);
        return Resampler.Resize(pixels, width, height);
    }

    /// <summary>The stored JPEG tile that is exactly this request, if the source keeps one.</summary>
    public static byte[]? PassThrough(IImageSource source, PixelRect region, int width, int height, ImagePlane plane)
    {
        var levels = source.Description.Levels;
        for (var level = 0; level < levels.Count; level++)
        {
            var stored = levels[level];
            var ds = stored.Downsample;
            if (width != stored.TileWidth || height != stored.TileHeight || Math.Abs(region.Width - width * ds) > 0.5 || Math.Abs(region.Height - height * ds) > 0.5)
                continue;
            var (lx, ly) = (region.X / ds, region.Y / ds);
            if (Math.Abs(lx - Math.Round(lx)) > 1e-6 || Math.Abs(ly - Math.Round(ly)) > 1e-6)
                continue;
            var (x, y) = ((int)Math.Round(lx), (int)Math.Round(ly));
            if (x % stored.TileWidth != 0 || y % stored.TileHeight != 0 || x + width > stored.Width || y + height > stored.Height)
                continue;
            return source.StoredJpegTile(level, x / stored.TileWidth, y / stored.TileHeight, plane);
        }
        return null;
    }

    /// <summary>Answers an IIIF image request: region and size, then mirroring and rotation, quality, format.</summary>
    public static EncodedImage Iiif(IImageSource source, IiifRequest request, ImagePlane plane, RenderOptions options, int jpegQuality) =>
        StoredTile(source, request, plane, options) ?? Render(source, request, plane, options, jpegQuality);

    /// <summary>The stored tile that answers an IIIF request untouched (nothing decoded), or null.</summary>
    public static EncodedImage? StoredTile(IImageSource source, IiifRequest request, ImagePlane plane, RenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        return request is { Rotation: 0, Mirror: false, Quality: IiifQuality.Default or IiifQuality.Color, Format: "jpg" } && !options.Customised
            && PassThrough(source, request.Region, request.Width, request.Height, plane) is { } tile
            ? new EncodedImage(tile, "image/jpeg", PassedThrough: true)
            : null;
    }

    /// <summary>Renders an IIIF request from decoded pixels (no stored tile is looked for).</summary>
    public static EncodedImage Render(IImageSource source, IiifRequest request, ImagePlane plane, RenderOptions options, int jpegQuality)
    {
        ArgumentNullException.ThrowIfNull(request);
        var image = Region(source, request.Region, request.Width, request.Height, plane, options);
        image = RasterOps.Rotate(image, request.Rotation, request.Mirror);
        image = request.Quality switch
        {
            IiifQuality.Gray => RasterOps.Gray(image),
            IiifQuality.Bitonal => RasterOps.Bitonal(image),
            _ => image,
        };
        return Encode(image, request.Format, jpegQuality);
    }

    public static EncodedImage Encode(RasterImage image, string format, int jpegQuality) => format == "png"
        ? new EncodedImage(PngEncoder.Encode(image), "image/png")
        : new EncodedImage(JpegEncoder.Encode(image.Bands == 4 ? RasterOps.ToRgb(image) : image, jpegQuality), "image/jpeg");
}
