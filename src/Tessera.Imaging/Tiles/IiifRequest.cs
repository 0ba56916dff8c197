using System.Globalization;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tiles;

/// <summary>An IIIF request that cannot be served: 400 for a malformed or impossible one, 501 for an unsupported feature.</summary>
public sealed class IiifException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static IiifException BadRequest(string message) => new(400, message);

    public static IiifException NotImplemented(string message) => new(501, message);
}

public enum IiifQuality
{
    Default,
    Color,
    Gray,
    Bitonal,
}

/// <summary>
/// The image request of IIIF Image API 3.0 (§4): region, size, rotation, quality and format, parsed and resolved
/// against the image's size, in the order the specification applies them.
/// </summary>
public sealed record IiifRequest(PixelRect Region, int Width, int Height, int Rotation, bool Mirror, IiifQuality Quality, string Format)
{
    /// <summary>Largest output the server makes (declared in info.json as maxWidth / maxHeight / maxArea).</summary>
    public const int MaxWidth = 8192;
    public const int MaxHeight = 8192;
    public const long MaxArea = 8192L * 4096;

    public static IiifRequest Parse(string region, string size, string rotation, string qualityAndFormat, int imageWidth, int imageHeight)
    {
        var rect = ParseRegion(region, imageWidth, imageHeight);
        var (w, h) = ParseSize(size, rect);
        var (degrees, mirror) = ParseRotation(rotation);
        var dot = qualityAndFormat.LastIndexOf('.');
        if (dot <= 0)
            throw IiifException.BadRequest($"'{qualityAndFormat}' is not quality.format (e.g. default.jpg)");
        var quality = qualityAndFormat[..dot] switch
        {
            "default" => IiifQuality.Default,
            "color" => IiifQuality.Color,
            "gray" => IiifQuality.Gray,
            "bitonal" => IiifQuality.Bitonal,
            var q => throw IiifException.BadRequest($"the quality '{q}' is not one of default, color, gray, bitonal"),
        };
        var format = qualityAndFormat[(dot + 1)..] switch
        {
            "jpg" => "jpg",
            "png" => "png",
            "tif" or "gif" or "pdf" or "jp2" or "webp" => throw new IiifException(415, $"the format '{qualityAndFormat[(dot + 1)..]}' is not offered; use jpg or png"),
            var f => throw IiifException.BadRequest($"'{f}' is not an image format"),
        };
        return new IiifRequest(rect, w, h, degrees, mirror, quality, format);
    }

    private static PixelRect ParseRegion(string region, int width, int height)
    {
        if (region == "full")
            return new PixelRect(0, 0, width, height);
        if (region == "square")
        {
            var side = Math.Min(width, height);
            return new PixelRect((width - side) / 2, (height - side) / 2, side, side);
        }
        var percent = region.StartsWith("pct:", StringComparison.Ordinal);
        var parts = (percent ? region[4..] : region).Split(',');
        if (parts.Length != 4)
            throw IiifException.BadRequest($"the region '{region}' is not full, square, x,y,w,h or pct:x,y,w,h");
        var values = parts.Select(p => Number(p, region, allowFraction: percent)).ToArray();
        double x = values[0], y = values[1], w = values[2], h = values[3];
        if (percent)
            (x, y, w, h) = (x * width / 100, y * height / 100, w * width / 100, h * height / 100);
        if (w <= 0 || h <= 0)
            throw IiifException.BadRequest($"the region '{region}' has no area");
        var left = (int)Math.Round(x);
        var top = (int)Math.Round(y);
        if (left >= width || top >= height)
            throw IiifException.BadRequest($"the region '{region}' lies outside the {width} x {height} image");
        var right = (int)Math.Min(width, Math.Round(x + w));
        var bottom = (int)Math.Min(height, Math.Round(y + h));
        return new PixelRect(left, top, Math.Max(1, right - left), Math.Max(1, bottom - top));
    }

    private static (int Width, int Height) ParseSize(string size, PixelRect region)
    {
        var upscale = size.StartsWith('^');
        var text = upscale ? size[1..] : size;
        double w, h;
        if (text == "max")
        {
            (w, h) = (region.Width, region.Height);
            var limit = Math.Min(1.0, Math.Min(Math.Min((double)MaxWidth / w, (double)MaxHeight / h), Math.Sqrt(MaxArea / (w * h))));
            if (upscale)
                limit = Math.Min(Math.Min((double)MaxWidth / w, (double)MaxHeight / h), Math.Sqrt(MaxArea / (w * h)));
            (w, h) = (Math.Max(1, Math.Floor(w * limit)), Math.Max(1, Math.Floor(h * limit)));
            return ((int)w, (int)h);
        }
        if (text.StartsWith("pct:", StringComparison.Ordinal))
        {
            var n = Number(text[4..], size, allowFraction: true);
            if (n <= 0)
                throw IiifException.BadRequest($"the size '{size}' is not a positive percentage");
            (w, h) = (region.Width * n / 100, region.Height * n / 100);
        }
        else
        {
            var confined = text.StartsWith('!');
            var parts = (confined ? text[1..] : text).Split(',');
            if (parts.Length != 2 || (parts[0].Length == 0 && parts[1].Length == 0) || (confined && (parts[0].Length == 0 || parts[1].Length == 0)))
                throw IiifException.BadRequest($"the size '{size}' is not max, w,, ,h, pct:n, w,h or !w,h");
            double? askedW = parts[0].Length > 0 ? Number(parts[0], size, false) : null;
            double? askedH = parts[1].Length > 0 ? Number(parts[1], size, false) : null;
            if (askedW <= 0 || askedH <= 0)
                throw IiifException.BadRequest($"the size '{size}' has no area");
            if (confined)
            {
                var scale = Math.Min(askedW!.Value / region.Width, askedH!.Value / region.Height);
                (w, h) = (region.Width * scale, region.Height * scale);
            }
            else
            {
                w = askedW ?? region.Width * askedH!.Value / region.Height;
                h = askedH ?? region.Height * askedW!.Value / region.Width;
            }
        }
        var (width, height) = ((int)Math.Max(1, Math.Round(w)), (int)Math.Max(1, Math.Round(h)));
        if (!upscale && (width > region.Width || height > region.Height))
            throw IiifException.BadRequest($"the size '{size}' is larger than the {region.Width} x {region.Height} region; prefix it with ^ to allow upscaling");
        if (width > MaxWidth || height > MaxHeight || (long)width * height > MaxArea)
            throw IiifException.BadRequest($"the size '{size}' is larger than the server makes ({MaxWidth} x {MaxHeight}, {MaxArea} pixels)");
        return (width, height);
    }

    private static (int Degrees, bool Mirror) ParseRotation(string rotation)
    {
        var mirror = rotation.StartsWith('!');
        var value = Number(mirror ? rotation[1..] : rotation, rotation, allowFraction: true);
        if (value is < 0 or > 360)
            throw IiifException.BadRequest($"the rotation '{rotation}' is not between 0 and 360");
        if (value % 90 != 0)
            throw IiifException.NotImplemented($"the rotation '{rotation}' is not a multiple of 90 degrees");
        return ((int)value % 360, mirror);
    }

    private static double Number(string text, string whole, bool allowFraction)
    {
        var style = allowFraction ? NumberStyles.AllowDecimalPoint : NumberStyles.None;
        if (text.Length == 0 || !double.TryParse(text, style, CultureInfo.InvariantCulture, out var value))
            throw IiifException.BadRequest($"'{whole}' holds '{text}', which is not a {(allowFraction ? "number" : "whole number")}");
        return value;
    }
}
