using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// A PNG too large to decode whole, read from its file band by band (shown so before its pyramid is built). PNG
/// cannot seek: a region is inflated from the image's top, or from the last row read when it lies below it, so a
/// pass from top to bottom (the one <see cref="ReducedSource"/> makes) reads the file once. One read at a time;
/// memory is that of the region asked for.
/// </summary>
public sealed class PngStreamSource : IImageSource
{
    private const int BandRows = 256;

    private readonly Func<Stream> _open;
    private readonly Lock _gate = new();
    private Stream? _stream;
    private PngRows? _rows;

    public PngStreamSource(Func<Stream> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        _open = open;
        using var stream = open();
        using var rows = new PngRows(stream, long.MaxValue);
        Description = new ImageDescription
        {
            Format = "PNG",
            Levels = [new ImageLevel(rows.Width, rows.Height, rows.Width, Math.Min(BandRows, rows.Height), 1)],
            Bands = rows.Colour ? 3 : 1,
        };
    }

    public ImageDescription Description { get; }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var bands = Description.Bands;
        var width = Description.Width;
        var output = new byte[region.Width * region.Height * bands];
        var line = new byte[width * bands];
        lock (_gate)
        {
            try
            {
                if (_rows is null || _rows.Row > region.Y)
                    Reopen();
                while (_rows!.Row < region.Y)
                    _rows.Next();
                for (var y = region.Y; y < region.Bottom; y++)
                {
                    _rows.ToSamples(_rows.Next(), line, wide: false);
                    line.AsSpan(region.X * bands, region.Width * bands).CopyTo(output.AsSpan((y - region.Y) * region.Width * bands));
                }
            }
            catch
            {
                Close(); // the next read starts again from the top
                throw;
            }
        }
        return new RasterImage(region.Width, region.Height, bands, output);
    }

    private void Reopen()
    {
        Close();
        _stream = _open();
        _rows = new PngRows(_stream, long.MaxValue);
    }

    private void Close()
    {
        _rows?.Dispose();
        _stream?.Dispose();
        (_rows, _stream) = (null, null);
    }

    public void Dispose()
    {
        lock (_gate)
            Close();
    }
}
