using Microsoft.Extensions.Caching.Memory;
using Tessera.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// A DICOM VL whole-slide series as one pyramid (PS3.3 C.8.12.4): each VOLUME instance is a level, its frames the
/// tiles of the total pixel matrix — in row-major order for TILED_FULL, placed by their Plane Position (Slide) for
/// TILED_SPARSE, a missing tile shown white. Baseline JPEG frames are complete JPEGs: a request on the tile grid
/// gets the stored frame as it is.
/// </summary>
public sealed class DicomWsiSource : IImageSource
{
    public const string SopClassUid = Tessera.Dicom.Dictionary.DicomUids.VlWholeSlideMicroscopyImageStorage;

    private readonly List<Level> _levels;
    private readonly string _key;
    private readonly IMemoryCache _tiles;

    private sealed record Level(DicomPixelData Pixels, int Width, int Height, int TileWidth, int TileHeight, Dictionary<(int Column, int Row), int> Frames);

    private DicomWsiSource(List<Level> levels, string key, IMemoryCache tiles, ImageDescription description) =>
        (_levels, _key, _tiles, Description) = (levels, key, tiles, description);

    public ImageDescription Description { get; }

    /// <summary>Builds the pyramid from the series' instances; LABEL, OVERVIEW and THUMBNAIL images are left out.</summary>
    public static DicomWsiSource Open(IEnumerable<DicomPixelData> instances, string key, IMemoryCache tiles)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var levels = new List<Level>();
        foreach (var pixels in instances)
        {
            var dataset = pixels.Dataset;
            var types = dataset.GetStrings(DicomTags.ImageType);
            if (types.Length >= 3 && types[2] is "LABEL" or "OVERVIEW" or "THUMBNAIL")
                continue;
            var width = (int)(dataset.GetInteger(DicomTags.TotalPixelMatrixColumns) ?? pixels.Layout.Columns);
            var height = (int)(dataset.GetInteger(DicomTags.TotalPixelMatrixRows) ?? pixels.Layout.Rows);
            levels.Add(new Level(pixels, width, height, pixels.Layout.Columns, pixels.Layout.Rows, FramePositions(pixels, width)));
        }
        if (levels.Count == 0)
            throw ImageException.Unsupported("the whole-slide series has no VOLUME image");
        levels.Sort((a, b) => b.Width.CompareTo(a.Width));
        var full = levels[0];
        var spacing = full.Pixels.PixelSpacing;
        var description = new ImageDescription
        {
            Format = "DICOM whole-slide",
            Levels = levels.Select(l => new ImageLevel(l.Width, l.Height, l.TileWidth, l.TileHeight, ImageLevel.DownsampleOf(full.Width, l.Width))).ToList(),
            Bands = full.Pixels.Layout.SamplesPerPixel == 1 ? 1 : 3,
            PixelSize = spacing is { } s ? (s.Column * 1000, s.Row * 1000) : null,
            StoredTiles = levels.All(l => l.Pixels.TransferSyntaxUid == "1.2.840.10008.1.2.4.50"),
        };
        return new DicomWsiSource(levels, key, tiles, description);
    }

    /// <summary>Which frame holds each tile: row-major for TILED_FULL, by Plane Position (Slide) otherwise.</summary>
    private static Dictionary<(int, int), int> FramePositions(DicomPixelData pixels, int width)
    {
        var dataset = pixels.Dataset;
        var (tw, th) = (pixels.Layout.Columns, pixels.Layout.Rows);
        var across = (width + tw - 1) / tw;
        var frames = new Dictionary<(int, int), int>();
        var perFrame = dataset.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence);
        var sparse = dataset.GetString(DicomTags.DimensionOrganizationType)?.Trim() == "TILED_SPARSE" || (perFrame is { Items.Count: > 0 } && HasPositions(perFrame.Items[0]));
        for (var i = 0; i < pixels.FrameCount; i++)
        {
            if (sparse && perFrame is not null && i < perFrame.Items.Count && Position(perFrame.Items[i]) is { } at)
                frames.TryAdd(((at.Column - 1) / tw, (at.Row - 1) / th), i);
            else if (!sparse)
                frames.TryAdd((i % across, i / across), i);
        }
        return frames;
    }

    private static bool HasPositions(DicomDataset item) => Position(item) is not null;

    private static (int Column, int Row)? Position(DicomDataset item)
    {
        var plane = item.GetSequence(DicomTags.PlanePositionSlideSequence);
        if (plane is not { Items.Count: > 0 })
            return null;
        var column = plane.Items[0].GetInteger(DicomTags.ColumnPositionInTotalImagePixelMatrix);
        var row = plane.Items[0].GetInteger(DicomTags.RowPositionInTotalImagePixelMatrix);
        return column is { } c && row is { } r ? ((int)c, (int)r) : null;
    }

    public RasterImage Read(int level, PixelRect region, ImagePlane plane, RenderOptions options)
    {
        var stored = _levels[level];
        var bands = Description.Bands;
        var output = new byte[region.Width * region.Height * bands];
        Array.Fill(output, (byte)255);
        var (tw, th) = (stored.TileWidth, stored.TileHeight);
        for (var row = region.Y / th; row <= (region.Bottom - 1) / th; row++)
        {
            for (var column = region.X / tw; column <= (region.Right - 1) / tw; column++)
            {
                if (Tile(level, column, row) is not { } tile)
                    continue;
                var (x0, y0) = (column * tw, row * th);
                var (left, right) = (Math.Max(region.X, x0), Math.Min(region.Right, x0 + tw));
                for (var y = Math.Max(region.Y, y0); y < Math.Min(region.Bottom, y0 + th); y++)
                {
                    tile.Pixels.AsSpan(((y - y0) * tw + left - x0) * bands, (right - left) * bands)
                        .CopyTo(output.AsSpan(((y - region.Y) * region.Width + left - region.X) * bands));
                }
            }
        }
        return new RasterImage(region.Width, region.Height, bands, output);
    }

    private RasterImage? Tile(int level, int column, int row)
    {
        var stored = _levels[level];
        if (!stored.Frames.TryGetValue((column, row), out var frame))
            return null;
        return _tiles.GetOrCreate((_key, level, frame), entry =>
        {
            var image = FrameRenderer.Render(stored.Pixels.DecodeFrame(frame), stored.Pixels.Display(frame));
            entry.Size = image.Pixels.Length;
            entry.SlidingExpiration = TimeSpan.FromMinutes(5);
            return image;
        });
    }

    public byte[]? StoredJpegTile(int level, int column, int row, ImagePlane plane)
    {
        var stored = _levels[level];
        if (stored.Pixels.TransferSyntaxUid != "1.2.840.10008.1.2.4.50" || !stored.Frames.TryGetValue((column, row), out var frame))
            return null;
        var bytes = stored.Pixels.EncodedFrame(frame);
        var start = bytes.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD8]);
        return start switch
        {
            < 0 => null,
            0 => bytes,
            _ => bytes[start..],
        };
    }

    public void Dispose()
    {
    }
}
