using Microsoft.Extensions.Caching.Memory;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// An ordinary DICOM instance as an image: one level, its frames as z planes, grey images windowed as the file or
/// the viewer says. Rendered frames are kept in the shared frame cache, so panning a large frame decodes it once.
/// </summary>
public sealed class DicomImageSource : IImageSource
{
    private readonly DicomPixelData _pixels;
    private readonly string _key;
    private readonly IMemoryCache _frames;

    public DicomImageSource(DicomPixelData pixels, string key, IMemoryCache frames)
    {
        (_pixels, _key, _frames) = (pixels, key, frames);
        var layout = pixels.Layout;
        var grey = layout.SamplesPerPixel == 1 && layout.Photometric != Photometric.PaletteColor;
        var display = pixels.Display(0);
        Description = new ImageDescription
        {
            Format = "DICOM",
            Levels = [new ImageLevel(layout.Columns, layout.Rows, layout.Columns, layout.Rows, 1)],
            Bands = grey ? 1 : 3,
            SizeZ = pixels.FrameCount,
            PixelSize = pixels.PixelSpacing is { } spacing ? (spacing.Column * 1000, spacing.Row * 1000) : null,
            Windowed = grey,
            DefaultWindow = grey && display.Windows.Count > 0 ? (display.Windows[0].Center, display.Windows[0].Width) : null,
        };
    }

    public ImageDescription Description { get; }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var frame = Math.Clamp(plane.Z, 0, _pixels.FrameCount - 1);
        var key = (_key, frame, options.Window, options.Invert, options.VoiIndex);
        var rendered = _frames.GetOrCreate(key, entry =>
        {
            var image = FrameRenderer.Render(_pixels.DecodeFrame(frame), _pixels.Display(frame), options);
            entry.Size = image.Pixels.Length;
            entry.SlidingExpiration = TimeSpan.FromMinutes(10);
            return image;
        })!;
        return RasterSource.Crop(rendered, region);
    }

    public void Dispose()
    {
    }
}
