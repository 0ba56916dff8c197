namespace Tessera.Imaging.Sources;

/// <summary>One resolution of an image: its size and the tile grid it is stored in (the whole level when untiled).</summary>
public sealed record ImageLevel(int Width, int Height, int TileWidth, int TileHeight, double Downsample)
{
    /// <summary>
    /// The downsample of a level from the widths: pyramids halve with rounding (2220 → 1110 → 555 → 277 or 278),
    /// so a ratio within 2 % of a power of two is that power, and pixels line up to the far edge.
    /// </summary>
    public static double DownsampleOf(int fullWidth, int levelWidth)
    {
        var ratio = (double)fullWidth / levelWidth;
        var power = Math.Pow(2, Math.Round(Math.Log2(ratio)));
        return Math.Abs(ratio / power - 1) < 0.02 ? power : ratio;
    }
}

/// <summary>A channel of a multi-channel (fluorescence) image, with the colour it is shown in.</summary>
public sealed record ImageChannel(string Name, string Color);

/// <summary>Which plane of a z-stack or time series (and, for a radiology series, which frame).</summary>
public readonly record struct ImagePlane(int Z = 0, int T = 0);

/// <summary>A rectangle in pixels.</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;

    public int Bottom => Y + Height;
}

/// <summary>What a viewer needs to know about an image before asking for pixels.</summary>
public sealed record ImageDescription
{
    /// <summary>The format as a person would name it: "Aperio SVS", "DICOM", "PNG".</summary>
    public required string Format { get; init; }

    public int Width => Levels[0].Width;

    public int Height => Levels[0].Height;

    /// <summary>The stored resolutions, full size first, each smaller than the one before.</summary>
    public required IReadOnlyList<ImageLevel> Levels { get; init; }

    /// <summary>Samples a pixel is shown from: 1 (grey), 3 (colour), or the number of fluorescence channels.</summary>
    public int Bands { get; init; } = 3;

    /// <summary>Fluorescence channels, when the image has separately shown ones.</summary>
    public IReadOnlyList<ImageChannel> Channels { get; init; } = [];

    public int SizeZ { get; init; } = 1;

    public int SizeT { get; init; } = 1;

    /// <summary>Physical pixel size in micrometres (x, y), when the file says.</summary>
    public (double X, double Y)? PixelSize { get; init; }

    /// <summary>The image's values need a window to be seen (radiology): the window parameters apply.</summary>
    public bool Windowed { get; init; }

    /// <summary>The source keeps its tiles as JPEGs it can hand out untouched (<see cref="IImageSource.StoredJpegTile"/>).</summary>
    public bool StoredTiles { get; init; }

    /// <summary>The file's own default window (centre, width) for windowed images.</summary>
    public (double Center, double Width)? DefaultWindow { get; init; }
}
