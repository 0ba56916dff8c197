using System.Globalization;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tiles;

/// <summary>
/// The Deep Zoom layout (the one OpenSeadragon and libvips' dzsave use): level n is the image halved until it is one
/// pixel at level 0; tiles of <see cref="TileSize"/> pixels plus <see cref="Overlap"/> on each inner edge.
/// </summary>
public sealed class DeepZoom(int width, int height, int tileSize = 254, int overlap = 1)
{
    public int TileSize { get; } = tileSize;

    public int Overlap { get; } = overlap;

    /// <summary>The full-size level: ceil(log2(max(width, height))).</summary>
    public int MaxLevel { get; } = (int)Math.Ceiling(Math.Log2(Math.Max(width, height)));

    public (int Width, int Height) LevelSize(int level)
    {
        var scale = Math.Pow(2, MaxLevel - level);
        return ((int)Math.Ceiling(width / scale), (int)Math.Ceiling(height / scale));
    }

    /// <summary>The tile's rectangle in the level's pixels (with overlap), or null when the level or tile does not exist.</summary>
    public PixelRect? Tile(int level, int column, int row)
    {
        if (level < 0 || level > MaxLevel || column < 0 || row < 0)
            return null;
        var (w, h) = LevelSize(level);
        var (x, y) = (column * TileSize, row * TileSize);
        if (x >= w || y >= h)
            return null;
        var left = Math.Max(0, x - (column > 0 ? Overlap : 0));
        var top = Math.Max(0, y - (row > 0 ? Overlap : 0));
        var right = Math.Min(w, x + TileSize + Overlap);
        var bottom = Math.Min(h, y + TileSize + Overlap);
        return new PixelRect(left, top, right - left, bottom - top);
    }

    /// <summary>A level rectangle in full-resolution pixels.</summary>
    public PixelRect ToFullResolution(int level, PixelRect rect)
    {
        var scale = Math.Pow(2, MaxLevel - level);
        var x0 = (int)Math.Round(rect.X * scale);
        var y0 = (int)Math.Round(rect.Y * scale);
        var x1 = (int)Math.Min(width, Math.Round(rect.Right * scale));
        var y1 = (int)Math.Min(height, Math.Round(rect.Bottom * scale));
        return new PixelRect(x0, y0, Math.Max(1, x1 - x0), Math.Max(1, y1 - y0));
    }

    /// <summary>The .dzi descriptor.</summary>
    public string Descriptor(string format) => string.Create(CultureInfo.InvariantCulture,
        $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Image xmlns="http://schemas.microsoft.com/deepzoom/2008" Format="{format}" Overlap="{Overlap}" TileSize="{TileSize}">
          <Size Width="{width}" Height="{height}"/>
        </Image>
        """);
}
