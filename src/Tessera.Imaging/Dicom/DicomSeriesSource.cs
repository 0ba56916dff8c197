using Tessera.Imaging;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Dicom;

/// <summary>One plane of a series: the instance's blob and the frame in it.</summary>
public readonly record struct SeriesPlane(string Key, int Frame);

/// <summary>
/// An ordinary DICOM series as one image (a stack): every frame of its instances is a z plane, in the order the
/// catalog gives (instance number, then SOP Instance UID). The first instance describes the stack; each plane is
/// read from its own instance when asked, with that instance's own window unless the viewer sets one.
/// </summary>
public sealed class DicomSeriesSource(IImageSource first, IReadOnlyList<SeriesPlane> planes, Func<string, IImageSource> open) : IImageSource
{
    public ImageDescription Description { get; } = first.Description with { Format = "DICOM series", SizeZ = planes.Count };

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var (key, frame) = planes[Math.Clamp(plane.Z, 0, planes.Count - 1)];
        var source = open(key);
        var own = source.Description;
        if (own.Width != Description.Width || own.Height != Description.Height)
            throw ImageException.Malformed($"image {plane.Z + 1} of the series is {own.Width} x {own.Height}, unlike the series' {Description.Width} x {Description.Height}");
        return source.Read(level, region, new ImagePlane(frame, plane.T), options);
    }

    public void Dispose()
    {
    }
}
