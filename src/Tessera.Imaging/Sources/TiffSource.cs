using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Win32.SafeHandles;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Display;
using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Sources;

/// <summary>
/// Tiled TIFF and BigTIFF through libtiff: pyramids stored as reduced IFDs after the first (libvips, generic) or as
/// SubIFDs of it (OME-TIFF), OME-TIFF planes as z and t. Structure is read once at open; JPEG tiles are then read
/// with positioned reads (no libtiff state, no lock), completed with the file's JPEGTABLES and, for RGB tiles, an
/// Adobe marker so any decoder reads their colours right: exactly what <see cref="StoredJpegTile"/> hands out
/// untouched. Other compressions decode through libtiff, one request at a time.
/// </summary>
public sealed partial class TiffSource : IImageSource
{
    /// <summary>Decoded tiles kept per open image, in bytes (cleared when full: tiles are cheap to decode again).</summary>
    private const long TileCacheBytes = 32L << 20;

    private readonly TiffHandle _tiff;
    private readonly SafeFileHandle _file;
    private readonly List<Level> _levels;
    private readonly int _planesPerLevel;
    private readonly Ome? _ome;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<(int, int, int), RasterImage> _tiles = new();
    private readonly DecodeLimits _limits;
    private long _tileBytes;

    /// <summary>One stored resolution: where its directory is and how its tiles are laid out (per plane).</summary>
    private sealed record Level(
        int Width, int Height, int TileWidth, int TileHeight, ushort Compression, ushort Photometric, int Samples,
        Directory[] Planes, byte[]? JpegTables, bool Tiled = true)
    {
        /// <summary>Bands of one decoded tile: grey for one-sample minimum-is-black data, else RGB.</summary>
        public int TileBands => Samples == 1 && Photometric is 0 or 1 ? 1 : 3;
    }

    /// <summary>A directory: main-chain index, or SubIFD offset; its tiles' offsets and sizes.</summary>
    private sealed record Directory(uint Index, ulong SubOffset, ulong[] Offsets, ulong[] Counts);

    private TiffSource(TiffHandle tiff, SafeFileHandle file, List<Level> levels, ImageDescription description, int planes, Ome? ome, DecodeLimits limits)
    {
        (_tiff, _file, _levels, Description, _planesPerLevel, _ome, _limits) = (tiff, file, levels, description, planes, ome, limits);
    }

    /// <summary>Largest strip of an untiled image decoded at once (an image stored as one huge strip needs a pyramid).</summary>
    private const long MaxStripPixels = 64L << 20;

    public ImageDescription Description { get; }

    /// <param name="limits">
    /// Bounds the tile (or strip) its tags declare, which is decoded at once; <see cref="DecodeLimits.Default"/> when null.
    /// </param>
    public static TiffSource Open(string path, DecodeLimits? limits = null)
    {
        limits ??= DecodeLimits.Default;
        NativeLibraries.Require(NativeLibraries.Tiff);
        Quiet();
        var tiff = LibTiff.Open(path, "rm");
        if (tiff.IsInvalid)
            throw ImageException.Malformed("libtiff cannot open the file as TIFF");
        try
        {
            var (levels, description, planes, ome) = ReadStructure(tiff, limits);
            var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
            return new TiffSource(tiff, file, levels, description, planes, ome, limits);
        }
        catch
        {
            tiff.Dispose();
            throw;
        }
    }

    private static void Quiet()
    {
        // libtiff writes its complaints to stderr by default; failures come back as return codes instead.
        LibTiff.SetErrorHandler(IntPtr.Zero);
        LibTiff.SetWarningHandler(IntPtr.Zero);
    }

    private static (List<Level>, ImageDescription, int, Ome?) ReadStructure(TiffHandle tiff, DecodeLimits limits)
    {
        var count = LibTiff.NumberOfDirectories(tiff);
        if (count == 0 || LibTiff.SetDirectory(tiff, 0) != 1)
            throw ImageException.Malformed("the TIFF file has no image directory");
        var description = LibTiff.Text(tiff, LibTiff.ImageDescription);
        var ome = description is not null && description.Contains("<OME", StringComparison.Ordinal) ? Ome.Parse(description) : null;
        var planes = ome is { } o ? Math.Max(1, o.SizeZ * o.SizeT * o.SizeC) : 1;
        if (planes > count)
            planes = 1;
        var full = Describe(tiff, 0, 0);
        var levels = new List<Level>();
        var subIfds = full.Tiled ? SubIfds(tiff) : [];
        if (!full.Tiled)
        {
            levels.Add(LevelOf(tiff, limits, Enumerable.Range(0, planes).Select(p => ((uint)p, 0UL)).ToList()));
        }
        else if (subIfds.Length > 0)
        {
            // OME-TIFF: each plane's reduced levels are its SubIFDs.
            var chains = new List<(uint Index, ulong[] Subs)>();
            for (uint p = 0; p < planes; p++)
            {
                LibTiff.SetDirectory(tiff, p);
                chains.Add((p, SubIfds(tiff)));
            }
            levels.Add(LevelOf(tiff, limits, chains.Select(c => (c.Index, 0UL)).ToList()));
            for (var k = 0; k < subIfds.Length; k++)
            {
                var at = k;
                if (chains.Any(c => c.Subs.Length <= at))
                    break;
                levels.Add(LevelOf(tiff, limits, chains.Select(c => (c.Index, c.Subs[at])).ToList()));
            }
        }
        else
        {
            levels.Add(LevelOf(tiff, limits, Enumerable.Range(0, planes).Select(p => ((uint)p, 0UL)).ToList()));
            // A pyramid in the main chain: each later tiled directory that is smaller, with the same aspect.
            for (var index = (uint)planes; index < count; index += (uint)planes)
            {
                var next = Describe(tiff, index, 0);
                var last = levels[^1];
                if (!next.Tiled || next.Width >= last.Width || Math.Abs((double)next.Width / next.Height - (double)full.Width / full.Height) > 0.02)
                    break;
                levels.Add(LevelOf(tiff, limits, Enumerable.Range(0, planes).Select(p => (index + (uint)p, 0UL)).ToList()));
            }
        }
        var first = levels[0];
        var composite = ome is { Channels.Count: > 1 } && first.TileBands == 1;
        var image = new ImageDescription
        {
            Format = ome is null ? (!first.Tiled ? "TIFF" : levels.Count > 1 ? "pyramidal TIFF" : "tiled TIFF") : "OME-TIFF",
            Levels = levels.Select(l => new ImageLevel(l.Width, l.Height, l.TileWidth, l.TileHeight, ImageLevel.DownsampleOf(first.Width, l.Width))).ToList(),
            Bands = composite ? 3 : first.TileBands,
            SizeZ = ome?.SizeZ ?? 1,
            SizeT = ome?.SizeT ?? 1,
            Channels = composite ? ome!.Channels : [],
            PixelSize = ome?.PixelSize,
            StoredTiles = !composite && first.Tiled && first.Compression == LibTiff.CompressionJpeg,
        };
        return (levels, image, planes, ome);
    }

    private sealed record Shape(int Width, int Height, bool Tiled);

    private static Shape Describe(TiffHandle tiff, uint index, ulong sub)
    {
        if ((sub == 0 ? LibTiff.SetDirectory(tiff, index) : LibTiff.SetSubDirectory(tiff, sub)) != 1)
            throw ImageException.Malformed($"TIFF directory {index} cannot be read");
        var (width, height) = (LibTiff.UInt32(tiff, LibTiff.ImageWidth), LibTiff.UInt32(tiff, LibTiff.ImageLength));
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue)
            throw ImageException.Malformed($"TIFF directory {index} declares {width}×{height} pixels");
        return new Shape((int)width, (int)height, LibTiff.IsTiled(tiff) == 1);
    }

    private static ulong[] SubIfds(TiffHandle tiff)
    {
        if (LibTiff.GetCountedUInt16(tiff, LibTiff.SubIfd, out var n, out var data) != 1 || n == 0 || data == IntPtr.Zero)
            return [];
        unsafe
        {
            return new ReadOnlySpan<ulong>((void*)data, n).ToArray();
        }
    }

    private static Level LevelOf(TiffHandle tiff, DecodeLimits limits, List<(uint Index, ulong Sub)> planes)
    {
        Level? level = null;
        var directories = new List<Directory>();
        foreach (var (index, sub) in planes)
        {
            var shape = Describe(tiff, index, sub);
            if (level is not null && (shape.Width != level.Width || shape.Height != level.Height))
                throw ImageException.Malformed($"TIFF plane {index} is {shape.Width} x {shape.Height}, unlike the others");
            var tiles = shape.Tiled ? (int)LibTiff.NumberOfTiles(tiff) : 0;
            directories.Add(shape.Tiled
                ? new Directory(index, sub, LibTiff.UInt64Array(tiff, LibTiff.TileOffsets, tiles), LibTiff.UInt64Array(tiff, LibTiff.TileByteCounts, tiles))
                : new Directory(index, sub, [], []));
            if (level is null)
            {
                level = new Level(
                    shape.Width, shape.Height,
                    shape.Tiled ? TileSide(tiff, LibTiff.TileWidth) : shape.Width,
                    shape.Tiled ? TileSide(tiff, LibTiff.TileLength) : StripRows(tiff, shape.Height),
                    LibTiff.UInt16(tiff, LibTiff.Compression), LibTiff.UInt16(tiff, LibTiff.Photometric), Math.Max((int)LibTiff.UInt16(tiff, LibTiff.SamplesPerPixel), 1),
                    [], JpegTables(tiff), shape.Tiled);
                CheckTile(level, LibTiff.UInt16(tiff, LibTiff.BitsPerSample), limits);
            }
        }
        return level! with { Planes = directories.ToArray() };
    }

    private static int TileSide(TiffHandle tiff, uint tag) => LibTiff.UInt32(tiff, tag) is var side and > 0 and <= int.MaxValue
        ? (int)side
        : throw ImageException.Malformed("a TIFF level has no tile size");

    /// <summary>
    /// What one tile or strip decodes to, from the tags, before any is read: libtiff allocates that much to decode
    /// one, and so does <see cref="DecodeThroughLibTiff"/> (tags that lie once asked for a 16 GB tile).
    /// </summary>
    private static void CheckTile(Level level, int bitsPerSample, DecodeLimits limits)
    {
        var pixels = (long)level.TileWidth * level.TileHeight;
        if (!level.Tiled && pixels > Math.Min(MaxStripPixels, limits.MaxPixels))
            throw ImageException.NeedsPyramid($"the {level.Width} x {level.Height} TIFF is stored in strips of {level.TileHeight} rows, too large to decode at once: it is shown once its pyramid is built");
        limits.CheckDeclared("TIFF tile size", level.TileWidth, level.TileHeight);
        if ((long)level.Samples * Math.Max(1, (bitsPerSample + 7) / 8) > MaxBytesPerPixel)
            throw ImageException.Unsupported($"the TIFF tags declare {level.Samples} samples of {bitsPerSample} bits a pixel; pixels of more than {MaxBytesPerPixel} bytes are not decoded");
    }

    /// <summary>16-bit RGBA: the widest pixel libtiff's RGBA interface is asked to decode.</summary>
    private const int MaxBytesPerPixel = 8;

    /// <summary>An untiled image's strips are its tiles: full width, RowsPerStrip rows (the whole image when unset).</summary>
    private static int StripRows(TiffHandle tiff, int height) =>
        LibTiff.GetUInt32(tiff, LibTiff.RowsPerStrip, out var rows) == 1 && rows > 0 ? (int)Math.Min(rows, (uint)height) : height;

    private static unsafe byte[]? JpegTables(TiffHandle tiff)
    {
        if (LibTiff.GetCountedUInt32(tiff, LibTiff.JpegTables, out var count, out var data) != 1 || count < 4 || data == IntPtr.Zero)
            return null;
        return new ReadOnlySpan<byte>((void*)data, (int)count).ToArray();
    }

    /// <summary>The directory of plane (z, t, c), in the OME DimensionOrder (the letter after XY varies fastest).</summary>
    private int PlaneIndex(ImagePlane plane, int channel = 0)
    {
        if (_planesPerLevel <= 1 || _ome is null)
            return 0;
        var index = 0;
        var stride = 1;
        foreach (var dimension in _ome.DimensionOrder.AsSpan(2))
        {
            var (value, size) = dimension switch { 'Z' => (plane.Z, _ome.SizeZ), 'T' => (plane.T, _ome.SizeT), _ => (channel, _ome.SizeC) };
            index += Math.Clamp(value, 0, size - 1) * stride;
            stride *= size;
        }
        return Math.Clamp(index, 0, _planesPerLevel - 1);
    }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        if (Description.Channels.Count > 1)
            return Composite(level, region, plane, options.Channels, options.ChannelRanges);
        return ReadPlane(level, region, PlaneIndex(plane));
    }

    /// <summary>
    /// The chosen channels, each grey value (stretched by its channel's contrast range, if given) added in the
    /// channel's colour: fluorescence's usual view.
    /// </summary>
    private RasterImage Composite(int level, PixelRect region, ImagePlane plane, IReadOnlyList<int>? chosen, IReadOnlyList<(int Low, int High)>? ranges)
    {
        var sum = new int[region.Width * region.Height * 3];
        foreach (var channel in chosen ?? Enumerable.Range(0, Description.Channels.Count).ToList())
        {
            if (channel < 0 || channel >= Description.Channels.Count)
                continue;
            var (r, g, b) = Rgb(Description.Channels[channel].Color);
            var grey = ReadPlane(level, region, PlaneIndex(plane, channel));
            var stretch = ranges is not null && channel < ranges.Count ? Stretch(ranges[channel]) : null;
            for (var i = 0; i < grey.Pixels.Length; i++)
            {
                var v = stretch is null ? grey.Pixels[i] : stretch[grey.Pixels[i]];
                sum[i * 3] += v * r;
                sum[i * 3 + 1] += v * g;
                sum[i * 3 + 2] += v * b;
            }
        }
        var output = new byte[sum.Length];
        for (var i = 0; i < sum.Length; i++)
            output[i] = (byte)Math.Min(255, sum[i] / 255);
        return new RasterImage(region.Width, region.Height, 3, output);
    }

    /// <summary>A table taking low..high to 0..255, below and above clipped.</summary>
    private static byte[] Stretch((int Low, int High) range)
    {
        var table = new byte[256];
        var span = Math.Max(1, range.High - range.Low);
        for (var v = 0; v < 256; v++)
            table[v] = (byte)Math.Clamp((v - range.Low) * 255 / span, 0, 255);
        return table;
    }

    private static (int R, int G, int B) Rgb(string hex) =>
        (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));

    private RasterImage ReadPlane(int level, PixelRect region, int planeIndex)
    {
        var stored = _levels[level];
        var bands = stored.TileBands;
        var output = new byte[region.Width * region.Height * bands];
        var (tw, th) = (stored.TileWidth, stored.TileHeight);
        for (var row = region.Y / th; row <= (region.Bottom - 1) / th; row++)
        {
            for (var column = region.X / tw; column <= (region.Right - 1) / tw; column++)
            {
                var tile = Tile(level, planeIndex, column, row);
                var (x0, y0) = (column * tw, row * th);
                var left = Math.Max(region.X, x0);
                var right = Math.Min(region.Right, x0 + tw);
                for (var y = Math.Max(region.Y, y0); y < Math.Min(region.Bottom, y0 + th); y++)
                {
                    tile.Pixels.AsSpan(((y - y0) * tw + left - x0) * bands, (right - left) * bands)
                        .CopyTo(output.AsSpan(((y - region.Y) * region.Width + left - region.X) * bands));
                }
            }
        }
        return new RasterImage(region.Width, region.Height, bands, output);
    }

    public byte[]? StoredJpegTile(int level, int column, int row, ImagePlane plane)
    {
        var stored = _levels[level];
        if (stored.Compression != LibTiff.CompressionJpeg || !stored.Tiled || Description.Channels.Count > 1)
            return null;
        return Standalone(stored, stored.Planes[PlaneIndex(plane)], TileIndex(stored, column, row));
    }

    private static int TileIndex(Level level, int column, int row) => row * ((level.Width + level.TileWidth - 1) / level.TileWidth) + column;

    private RasterImage Tile(int level, int plane, int column, int row)
    {
        var stored = _levels[level];
        var index = TileIndex(stored, column, row);
        if (_tiles.TryGetValue((level, plane, index), out var cached))
            return cached;
        var tile = stored.Compression == LibTiff.CompressionJpeg && stored.Tiled
            ? DecodeJpeg(stored, Standalone(stored, stored.Planes[plane], index), _limits)
            : DecodeThroughLibTiff(stored, stored.Planes[plane], column, row);
        if (Interlocked.Add(ref _tileBytes, tile.Pixels.Length) > TileCacheBytes)
        {
            _tiles.Clear();
            Interlocked.Exchange(ref _tileBytes, tile.Pixels.Length);
        }
        _tiles[(level, plane, index)] = tile;
        return tile;
    }

    /// <summary>SOI, an Adobe marker for RGB data, the tables without their SOI and EOI, then the rest of the tile.</summary>
    private byte[] Standalone(Level level, Directory directory, int index)
    {
        if (index < 0 || index >= directory.Offsets.Length || index >= directory.Counts.Length)
            throw ImageException.Malformed($"TIFF tile {index} does not exist");
        var (offset, count) = (directory.Offsets[index], directory.Counts[index]);
        // The byte count is a tag: it must lie in the file, and a JPEG tile is never much larger than its pixels.
        var most = Math.Min(RandomAccess.GetLength(_file) - (long)Math.Min(offset, long.MaxValue), (long)level.TileWidth * level.TileHeight * MaxBytesPerPixel + (64 << 10));
        if (count < 4 || count > (ulong)Math.Max(0, most))
            throw ImageException.Malformed($"TIFF tile {index} declares {count} bytes at offset {offset}, more than the file or a {level.TileWidth}×{level.TileHeight} tile can hold");
        var length = (int)count;
        var raw = new byte[length];
        if (RandomAccess.Read(_file, raw, (long)directory.Offsets[index]) < length || length < 4 || raw[0] != 0xFF || raw[1] != 0xD8)
            throw ImageException.Malformed($"TIFF tile {index} is truncated or not JPEG");
        var tables = level.JpegTables;
        var rgb = level.Photometric == LibTiff.PhotometricRgb;
        if (tables is null && !rgb)
            return raw;
        using var output = new MemoryStream(length + (tables?.Length ?? 0) + 16);
        output.Write(raw, 0, 2);
        if (rgb)
            output.Write(AdobeNoTransform);
        if (tables is { Length: > 4 })
            output.Write(tables, 2, tables.Length - 4);
        output.Write(raw, 2, raw.Length - 2);
        return output.ToArray();
    }

    private static readonly byte[] AdobeNoTransform = [0xFF, 0xEE, 0x00, 0x0E, (byte)'A', (byte)'d', (byte)'o', (byte)'b', (byte)'e', 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];

    private static RasterImage DecodeJpeg(Level level, byte[] jpeg, DecodeLimits limits)
    {
        var bands = level.TileBands;
        var layout = new PixelLayout
        {
            Rows = level.TileHeight,
            Columns = level.TileWidth,
            SamplesPerPixel = bands,
            BitsAllocated = 8,
            BitsStored = 8,
            HighBit = 7,
            Photometric = bands == 1 ? Photometric.Monochrome2 : Photometric.Rgb,
        };
        var frame = TurboJpegDecoder.Decode(jpeg, layout, limits, "TIFF tile size");
        return new RasterImage(level.TileWidth, level.TileHeight, bands, frame.Data);
    }

    private unsafe RasterImage DecodeThroughLibTiff(Level level, Directory directory, int column, int row)
    {
        var (tw, th) = (level.TileWidth, level.TileHeight);
        var raster = new uint[DecodeLimits.BufferSize("a TIFF tile", tw, th)];
        lock (_gate)
        {
            if ((directory.SubOffset == 0 ? LibTiff.SetDirectory(_tiff, directory.Index) : LibTiff.SetSubDirectory(_tiff, directory.SubOffset)) != 1)
                throw ImageException.Malformed("a TIFF directory cannot be read");
            fixed (uint* into = raster)
            {
                var ok = level.Tiled
                    ? LibTiff.ReadRgbaTile(_tiff, (uint)(column * tw), (uint)(row * th), into)
                    : LibTiff.ReadRgbaStrip(_tiff, (uint)(row * th), into);
                if (ok != 1)
                    throw ImageException.Malformed(level.Tiled ? $"TIFF tile {column},{row} does not decode" : $"TIFF strip {row} does not decode");
            }
        }
        // libtiff's RGBA raster is ABGR, bottom row first: a whole tile, or the rows a (last, shorter) strip has.
        var rows = level.Tiled ? th : Math.Min(th, level.Height - row * th);
        var bands = level.TileBands;
        var pixels = new byte[DecodeLimits.BufferSize("a TIFF tile", tw, th, bands)];
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < tw; x++)
            {
                var abgr = raster[(rows - 1 - y) * tw + x];
                var to = (y * tw + x) * bands;
                pixels[to] = (byte)abgr;
                if (bands == 3)
                {
                    pixels[to + 1] = (byte)(abgr >> 8);
                    pixels[to + 2] = (byte)(abgr >> 16);
                }
            }
        }
        return new RasterImage(tw, th, bands, pixels);
    }

    public void Dispose()
    {
        _file.Dispose();
        _tiff.Dispose();
    }

    /// <summary>What Tessera reads of OME-XML: plane counts, channels and their colours, physical pixel size.</summary>
    private sealed partial record Ome(int SizeZ, int SizeT, int SizeC, string DimensionOrder, IReadOnlyList<ImageChannel> Channels, (double X, double Y)? PixelSize)
    {
        public static Ome Parse(string xml)
        {
            var pixels = PixelsElement().Match(xml);
            var attributes = pixels.Success ? pixels.Value : "";
            int Attribute(string name) => int.TryParse(AttributeValue(attributes, name), out var v) && v > 0 ? v : 1;
            double? Physical(string name) => double.TryParse(AttributeValue(attributes, name), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && v > 0 ? v : null;
            var channels = ChannelElement().Matches(xml).Select((m, i) =>
                new ImageChannel(AttributeValue(m.Value, "Name") ?? $"Channel {i + 1}", ColourOf(AttributeValue(m.Value, "Color"), i))).ToList();
            var size = Physical("PhysicalSizeX") is { } x && Physical("PhysicalSizeY") is { } y ? (x, y) : ((double, double)?)null;
            var order = AttributeValue(attributes, "DimensionOrder") is { Length: 5 } d && d.StartsWith("XY", StringComparison.Ordinal) ? d : "XYCZT";
            return new Ome(Attribute("SizeZ"), Attribute("SizeT"), Attribute("SizeC"), order, channels.Count > 1 ? channels : [], size);
        }

        private static string? AttributeValue(string element, string name)
        {
            var match = Regex.Match(element, $@"\b{name}=""([^""]*)""");
            return match.Success ? match.Groups[1].Value : null;
        }

        /// <summary>OME's Color is a signed 32-bit RGBA integer; without one, channels get red, green, blue, ….</summary>
        private static string ColourOf(string? value, int index)
        {
            string[] defaults = ["#ff0000", "#00ff00", "#0000ff", "#ffff00", "#ff00ff", "#00ffff", "#ffffff"];
            if (!int.TryParse(value, out var rgba) || rgba == -2147483648)
                return defaults[index % defaults.Length];
            var u = unchecked((uint)rgba);
            return $"#{u >> 24:x2}{(u >> 16) & 0xFF:x2}{(u >> 8) & 0xFF:x2}";
        }

        [GeneratedRegex(@"<(?:\w+:)?Pixels\b[^>]*>")]
        private static partial Regex PixelsElement();

        [GeneratedRegex(@"<(?:\w+:)?Channel\b[^>]*>")]
        private static partial Regex ChannelElement();
    }
}
