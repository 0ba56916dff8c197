using System.Globalization;
using System.Runtime.InteropServices;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// A whole-slide image through OpenSlide (Aperio SVS, Hamamatsu, Leica, MIRAX, Philips, Sakura, Ventana, generic
/// tiled TIFF): its stored levels, regions read as premultiplied ARGB and flattened onto white.
/// </summary>
public sealed class OpenSlideSource : IImageSource
{
    private readonly OpenSlideHandle _slide;

    private OpenSlideSource(OpenSlideHandle slide, ImageDescription description) => (_slide, Description) = (slide, description);

    public ImageDescription Description { get; }

    /// <summary>The vendor OpenSlide recognises in the file ("aperio", "generic-tiff"…), or null.</summary>
    public static string? DetectVendor(string path)
    {
        if (!NativeLibraries.IsAvailable(NativeLibraries.OpenSlide))
            return null;
        return Marshal.PtrToStringUTF8(OpenSlide.DetectVendor(path));
    }

    /// <param name="limits">Bounds the tiles the slide's properties declare; <see cref="DecodeLimits.Default"/> when null.</param>
    public static OpenSlideSource Open(string path, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        NativeLibraries.Require(NativeLibraries.OpenSlide);
        var slide = OpenSlide.Open(path);
        if (slide.IsInvalid)
            throw ImageException.Unsupported("OpenSlide does not recognise this file as a slide");
        if (OpenSlide.Error(slide) is { } error)
        {
            slide.Dispose();
            throw ImageException.Malformed($"the slide cannot be read: {error}");
        }
        var count = OpenSlide.GetLevelCount(slide);
        var levels = new List<ImageLevel>(count);
        for (var level = 0; level < count; level++)
        {
            OpenSlide.GetLevelDimensions(slide, level, out var width, out var height);
            var tileWidth = Integer(slide, $"openslide.level[{level}].tile-width") ?? 256;
            var tileHeight = Integer(slide, $"openslide.level[{level}].tile-height") ?? 256;
            if (width > int.MaxValue || height > int.MaxValue)
                throw ImageException.Unsupported($"slide level {level} is {width} x {height} pixels, larger than supported");
            if (width < 1 || height < 1)
                throw ImageException.Malformed($"slide level {level} declares {width}×{height} pixels");
            // OpenSlide decodes whole stored tiles of this size for every region read: the vendor's header is trusted no further.
            limits.CheckDeclared($"slide's level {level} tile", tileWidth, tileHeight);
            levels.Add(new ImageLevel((int)width, (int)height, tileWidth, tileHeight, OpenSlide.GetLevelDownsample(slide, level)));
        }
        var vendor = OpenSlide.Property(slide, "openslide.vendor") ?? "slide";
        var mppX = Number(slide, "openslide.mpp-x");
        var mppY = Number(slide, "openslide.mpp-y");
        var description = new ImageDescription
        {
            Format = vendor switch
            {
                "aperio" => "Aperio SVS",
                "hamamatsu" => "Hamamatsu",
                "mirax" => "MIRAX",
                "generic-tiff" => "tiled TIFF",
                _ => vendor,
            },
            Levels = levels,
            PixelSize = mppX is { } x && mppY is { } y ? (x, y) : null,
        };
        return new OpenSlideSource(slide, description);
    }

    public unsafe RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var downsample = Description.Levels[level].Downsample;
        var argb = new uint[DecodeLimits.BufferSize("a slide region", region.Width, region.Height)];
        fixed (uint* destination = argb)
        {
            // OpenSlide takes the top-left corner in level-0 pixels and the size in the level's own.
            OpenSlide.ReadRegion(_slide, destination, (long)Math.Round(region.X * downsample), (long)Math.Round(region.Y * downsample),
                level, region.Width, region.Height);
        }
        if (OpenSlide.Error(_slide) is { } error)
            throw ImageException.Malformed($"the slide cannot be read: {error}");
        var rgb = new byte[argb.Length * 3];
        for (var i = 0; i < argb.Length; i++)
        {
            var pixel = argb[i];
            var alpha = (int)(pixel >> 24);
            // Premultiplied: flattening onto white adds the transparent share of white.
            var white = 255 - alpha;
            rgb[i * 3] = (byte)(((pixel >> 16) & 0xFF) + white);
            rgb[i * 3 + 1] = (byte)(((pixel >> 8) & 0xFF) + white);
            rgb[i * 3 + 2] = (byte)((pixel & 0xFF) + white);
        }
        return new RasterImage(region.Width, region.Height, 3, rgb);
    }

    public void Dispose() => _slide.Dispose();

    private static int? Integer(OpenSlideHandle slide, string name) =>
        int.TryParse(OpenSlide.Property(slide, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static double? Number(OpenSlideHandle slide, string name) =>
        double.TryParse(OpenSlide.Property(slide, name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
