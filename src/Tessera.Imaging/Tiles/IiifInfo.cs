using System.Text.Json;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tiles;

/// <summary>
/// The info.json of IIIF Image API 3.0 (§5) for an image: size and limits, preferred sizes, the tile grid with its
/// scale factors, and what beyond level 2 the service offers. Tessera's own facts (planes, channels, pixel size,
/// window) are in a "tessera" extension object that IIIF clients ignore.
/// </summary>
public static class IiifInfo
{
    public const string Context = "http://iiif.io/api/image/3/context.json";

    /// <summary>
    /// The tile edge the service declares: the source's own when it is square and either stored as JPEG tiles
    /// (so that viewers ask for exactly those) or 256 or 512 pixels; else 256.
    /// </summary>
    public static int TileSize(ImageDescription image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var level = image.Levels[0];
        var square = level.TileWidth == level.TileHeight;
        return square && (level.TileWidth is 256 or 512 || image.StoredTiles && level.TileWidth is >= 64 and <= 2048) ? level.TileWidth : 256;
    }

    /// <summary>Halvings until the image fits a few tiles: ceil(log2(longest side / tile)), at least one factor (as libvips lays out IIIF).</summary>
    public static IReadOnlyList<int> ScaleFactors(ImageDescription image, int tile)
    {
        var count = Math.Max(1, (int)Math.Ceiling(Math.Log2(Math.Max(image.Width, image.Height) / (double)tile)));
        return Enumerable.Range(0, count).Select(k => 1 << k).ToList();
    }

    /// <param name="extension">Writes more of the server's own facts into the "tessera" object.</param>
    public static void Write(Utf8JsonWriter json, string id, ImageDescription image, Action<Utf8JsonWriter>? extension = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(image);
        var tile = TileSize(image);
        json.WriteStartObject();
        json.WriteString("@context", Context);
        json.WriteString("id", id);
        json.WriteString("type", "ImageService3");
        json.WriteString("protocol", "http://iiif.io/api/image");
        json.WriteString("profile", "level2");
        json.WriteNumber("width", image.Width);
        json.WriteNumber("height", image.Height);
        json.WriteNumber("maxWidth", IiifRequest.MaxWidth);
        json.WriteNumber("maxHeight", IiifRequest.MaxHeight);
        json.WriteNumber("maxArea", IiifRequest.MaxArea);
        json.WriteStartArray("sizes");
        for (var k = 12; k >= 0; k--)
        {
            var (w, h) = ((int)Math.Ceiling(image.Width / (double)(1 << k)), (int)Math.Ceiling(image.Height / (double)(1 << k)));
            if (Math.Max(w, h) < 32 && k > 0 || w > IiifRequest.MaxWidth || h > IiifRequest.MaxHeight || (long)w * h > IiifRequest.MaxArea)
                continue;
            json.WriteStartObject();
            json.WriteNumber("width", w);
            json.WriteNumber("height", h);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("tiles");
        json.WriteStartObject();
        json.WriteNumber("width", tile);
        json.WriteNumber("height", tile);
        json.WriteStartArray("scaleFactors");
        foreach (var factor in ScaleFactors(image, tile))
            json.WriteNumberValue(factor);
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        WriteStrings(json, "extraQualities", ["color", "gray", "bitonal"]);
        WriteStrings(json, "extraFormats", ["png"]);
        WriteStrings(json, "extraFeatures", ["mirroring", "regionByPct", "regionByPx", "regionSquare", "rotationBy90s", "sizeByConfinedWh", "sizeByH", "sizeByPct", "sizeByW", "sizeByWh", "sizeUpscaling", "cors", "jsonldMediaType", "baseUriRedirect", "profileLinkHeader"]);
        WriteExtension(json, image, extension);
        json.WriteEndObject();
    }

    private static void WriteExtension(Utf8JsonWriter json, ImageDescription image, Action<Utf8JsonWriter>? extension)
    {
        json.WriteStartObject("tessera");
        json.WriteString("format", image.Format);
        json.WriteNumber("levels", image.Levels.Count);
        json.WriteNumber("sizeZ", image.SizeZ);
        json.WriteNumber("sizeT", image.SizeT);
        json.WriteNumber("bands", image.Bands);
        if (image.PixelSize is { } size)
        {
            json.WriteStartObject("pixelSize");
            json.WriteNumber("x", size.X);
            json.WriteNumber("y", size.Y);
            json.WriteString("unit", "µm");
            json.WriteEndObject();
        }
        json.WriteBoolean("windowed", image.Windowed);
        if (image.DefaultWindow is { } window)
        {
            json.WriteStartObject("window");
            json.WriteNumber("center", window.Center);
            json.WriteNumber("width", window.Width);
            json.WriteEndObject();
        }
        if (image.Channels.Count > 0)
        {
            json.WriteStartArray("channels");
            foreach (var channel in image.Channels)
            {
                json.WriteStartObject();
                json.WriteString("name", channel.Name);
                json.WriteString("color", channel.Color);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        extension?.Invoke(json);
        json.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, string[] values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
