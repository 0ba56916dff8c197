using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;
using Tessera.Imaging.Tiles;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// The part of a frame to show and the size to show it at (PS3.18 8.3.5.1.3): the source region from (X, Y), of
/// SourceWidth × SourceHeight pixels (to the image's edge when absent; a negative size flips that axis), scaled to fit
/// Width × Height with its aspect ratio kept.
/// </summary>
public sealed record Viewport(int Width, int Height, double X = 0, double Y = 0, double? SourceWidth = null, double? SourceHeight = null);

/// <summary>A rendering as the Retrieve Rendered transaction asks for it: window (in modality units), viewport, format and JPEG quality.</summary>
public sealed record RenderRequest(Window? Window, Viewport? Viewport, string Format, int Quality)
{
    /// <summary>The largest size that fits into this square when no viewport is given (a thumbnail), or null for full size.</summary>
    public int? FitInto { get; init; }
}

/// <summary>
/// Renders one frame of a DICOM instance for a screen (PS3.4 N.2 as a viewer without a presentation state would):
/// decoded by its codec, through the modality and VOI transforms (the asked-for window, else the file's first window
/// or VOI LUT, else the frame's own range; MONOCHROME1 inverted), colour to RGB and palettes looked up
/// (<see cref="FrameRenderer"/>), the source region cut and flipped, resized into the viewport (area average down,
/// bilinear up; <see cref="Resampler"/>), and encoded as JPEG (baseline, 8 bits) or PNG. Synchronous and CPU-bound:
/// callers run it in a <see cref="DecodeLimiter"/> slot.
/// </summary>
public static class DicomFrameRenderer
{
    public static EncodedImage Render(DicomPixelData pixels, int frame, RenderRequest request)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(request);
        var decoded = pixels.DecodeFrame(frame);
        var image = FrameRenderer.Render(decoded, pixels.Display(frame), new RenderOptions { Window = request.Window });
        var (width, height) = (image.Width, image.Height);
        if (request.Viewport is { } viewport)
        {
            image = Region(image, viewport);
            var scale = Math.Min((double)viewport.Width / image.Width, (double)viewport.Height / image.Height);
            (width, height) = (Scaled(image.Width, scale), Scaled(image.Height, scale));
        }
        else if (request.FitInto is { } side)
        {
            var scale = Math.Min(1.0, Math.Min((double)side / image.Width, (double)side / image.Height));
            (width, height) = (Scaled(image.Width, scale), Scaled(image.Height, scale));
        }
        image = Resampler.Resize(image, width, height);
        return ImageRenderer.Encode(image, request.Format == "image/png" ? "png" : "jpg", request.Quality);
    }

    private static int Scaled(int size, double scale) => Math.Max(1, (int)Math.Round(size * scale));

    /// <summary>The source region, clipped to the image; a negative width or height mirrors the region on that axis.</summary>
    private static RasterImage Region(RasterImage image, Viewport viewport)
    {
        var sourceWidth = viewport.SourceWidth ?? image.Width - viewport.X;
        var sourceHeight = viewport.SourceHeight ?? image.Height - viewport.Y;
        var left = sourceWidth < 0 ? viewport.X + sourceWidth : viewport.X;
        var top = sourceHeight < 0 ? viewport.Y + sourceHeight : viewport.Y;
        var x0 = (int)Math.Clamp(Math.Floor(left), 0, image.Width);
        var y0 = (int)Math.Clamp(Math.Floor(top), 0, image.Height);
        var x1 = (int)Math.Clamp(Math.Ceiling(left + Math.Abs(sourceWidth)), 0, image.Width);
        var y1 = (int)Math.Clamp(Math.Ceiling(top + Math.Abs(sourceHeight)), 0, image.Height);
        if (x1 <= x0 || y1 <= y0)
            throw ImageException.OutsideImage($"the viewport's source region ({viewport.X}, {viewport.Y}, {sourceWidth} × {sourceHeight}) lies outside the {image.Width} × {image.Height} image");
        var region = x0 == 0 && y0 == 0 && x1 == image.Width && y1 == image.Height ? image : RasterSource.Crop(image, new PixelRect(x0, y0, x1 - x0, y1 - y0));
        return (sourceWidth < 0, sourceHeight < 0) switch
        {
            (true, true) => RasterOps.Rotate(region, 180, mirror: false),
            (true, false) => RasterOps.Rotate(region, 0, mirror: true),
            (false, true) => RasterOps.Rotate(region, 180, mirror: true),
            _ => region,
        };
    }
}
