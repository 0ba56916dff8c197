using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// A readable image: whole-slide, microscopy, radiology frame, or plain picture. Sources read regions of a stored
/// level as 8-bit display pixels; scaling between levels, rotation and encoding happen above them.
/// Implementations are safe to call from several requests at once.
/// </summary>
public interface IImageSource : IDisposable
{
    ImageDescription Description { get; }

    /// <summary>Reads <paramref name="region"/> (in the level's own pixels) of one plane, rendered for display.</summary>
    RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options);

    /// <summary>
    /// The stored JPEG of one tile of a level, complete and decodable on its own, when the source keeps tiles that
    /// way; null otherwise. Lets a request that matches the stored grid be answered with no decode and no encode.
    /// </summary>
    byte[]? StoredJpegTile(int level, int column, int row, ImagePlane plane) => null;
}
