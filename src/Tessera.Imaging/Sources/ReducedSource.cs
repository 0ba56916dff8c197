using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// A large image stored at one resolution, shown before its pyramid is built. Full-resolution regions are read from
/// the source as asked (up to <see cref="MaxRegionPixels"/>); every coarser view comes from one reduced copy, at most
/// <see cref="PreviewSide"/> pixels a side, made on first use in a single pass over the source in bands of rows.
/// Memory stays bounded whatever the image's size; the pass costs one read of the image.
/// </summary>
public sealed class ReducedSource : IImageSource
{
    /// <summary>Largest full-resolution region read for one request (a larger one waits for the pyramid).</summary>
    public const long MaxRegionPixels = 16L << 20;

    public const int PreviewSide = 4096;

    /// <summary>Most pixels of one band of full-resolution rows read while the reduced copy is made.</summary>
    public const long MaxBandPixels = 64L << 20;

    private readonly IImageSource _inner;
    private readonly int _factor;
    private readonly int _rowsPerBand;
    private readonly Lazy<RasterImage> _preview;

    public ReducedSource(IImageSource inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        var full = inner.Description.Levels[0];
        _factor = 2;
        while (Math.Max(full.Width, full.Height) > (long)PreviewSide * _factor)
            _factor *= 2;
        var (width, height) = ((full.Width + _factor - 1) / _factor, (full.Height + _factor - 1) / _factor);
        _rowsPerBand = _factor * Math.Max(1, (Math.Max(256, full.TileHeight) + _factor - 1) / _factor);
        // A band is the header's width times many rows: a very wide image would need gigabytes for one.
        if ((long)full.Width * _rowsPerBand > MaxBandPixels)
        {
            throw ImageException.NeedsPyramid(
                $"the {full.Width} x {full.Height} image is too wide to reduce {_rowsPerBand} rows at a time: it is shown once its pyramid is built");
        }
        Description = inner.Description with
        {
            Levels = [full, new ImageLevel(width, height, width, height, _factor)],
            StoredTiles = false,
        };
        _preview = new Lazy<RasterImage>(() => Reduce(width, height), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Whether a source is worth reducing: one stored level, one plane, larger than the preview.</summary>
    public static bool Suits(ImageDescription image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return image.Levels.Count == 1 && image.SizeZ == 1 && image.SizeT == 1 && image.Channels.Count == 0
            && Math.Max(image.Width, image.Height) > PreviewSide;
    }

    public ImageDescription Description { get; }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        if (level > 0)
            return RasterSource.Crop(_preview.Value, region);
        if ((long)region.Width * region.Height > MaxRegionPixels)
            throw ImageException.NeedsPyramid(
                $"a {region.Width} x {region.Height} region at full resolution is more than is read before the image's pyramid is built; ask for a smaller one or a smaller size");
        return _inner.Read(0, region, plane, options);
    }

    /// <summary>Box-averages the source, a band of rows at a time, into the preview.</summary>
    private RasterImage Reduce(int width, int height)
    {
        var full = _inner.Description.Levels[0];
        var bands = _inner.Description.Bands == 1 ? 1 : 3;
        var pixels = new byte[width * height * bands];
        var sums = new long[width * bands];
        var counts = new int[width];
        for (var top = 0; top < full.Height; top += _rowsPerBand)
        {
            var rows = Math.Min(_rowsPerBand, full.Height - top);
            var band = _inner.Read(0, new PixelRect(0, top, full.Width, rows), default, RenderOptions.Default);
            if (band.Bands != bands && band.Bands != 4)
                band = bands == 1 ? RasterOps.Gray(band) : RasterOps.ToRgb(band);
            for (var y = 0; y < rows; y += _factor)
            {
                Array.Clear(sums);
                Array.Clear(counts);
                for (var dy = 0; dy < _factor && y + dy < rows; dy++)
                {
                    var line = band.Pixels.AsSpan((y + dy) * full.Width * band.Bands, full.Width * band.Bands);
                    for (var x = 0; x < full.Width; x++)
                    {
                        var to = x / _factor;
                        counts[to]++;
                        for (var c = 0; c < bands; c++)
                            sums[to * bands + c] += line[x * band.Bands + c];
                    }
                }
                var output = pixels.AsSpan((top + y) / _factor * width * bands, width * bands);
                for (var i = 0; i < output.Length; i++)
                    output[i] = (byte)((sums[i] + counts[i / bands] / 2) / Math.Max(1, counts[i / bands]));
            }
        }
        return new RasterImage(width, height, bands, pixels);
    }

    public void Dispose() => _inner.Dispose();
}
