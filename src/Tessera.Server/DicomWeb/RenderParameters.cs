using System.Globalization;
using Tessera.Archive;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Imaging.Display;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// The query parameters of Retrieve Rendered (PS3.18 8.3.5.1): <c>window=center,width[,function]</c> (function
/// <c>linear</c>, <c>linear-exact</c> or <c>sigmoid</c>, in modality units), <c>viewport=vw,vh[,sx,sy,sw,sh]</c>
/// (vw and vh at most <see cref="MaxViewport"/>), <c>quality</c> (1–100, for JPEG). <c>annotation</c> and
/// <c>iccprofile</c> are accepted and not applied (nothing is burned in; no ICC profile is embedded); parameters of
/// other names are ignored, as PS3.18 says. Malformed values answer 400.
/// </summary>
public static class RenderParameters
{
    /// <summary>The largest viewport side: renderings are for screens, and this bounds what one request may allocate.</summary>
    public const int MaxViewport = 4096;

    public static (Window? Window, Viewport? Viewport, int? Quality) Parse(IQueryCollection query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return (Window(query["window"]), ParseViewport(query["viewport"]), Quality(query["quality"]));
    }

    private static Window? Window(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length is < 2 or > 3 || !Number(parts[0], out var center) || !Number(parts[1], out var width) || width <= 0)
            throw TesseraException.Invalid($"window is center,width[,function] with a width above 0 (e.g. window=40,400,linear); '{text}' is not.");
        var function = parts.Length < 3 || parts[2].Length == 0 ? WindowFunction.Linear : parts[2].ToLowerInvariant() switch
        {
            "linear" => WindowFunction.Linear,
            "linear-exact" or "linear_exact" => WindowFunction.LinearExact,
            "sigmoid" => WindowFunction.Sigmoid,
            _ => throw TesseraException.Invalid($"The window function is linear, linear-exact or sigmoid; '{parts[2]}' is not one."),
        };
        if (function == WindowFunction.Linear && width < 1)
            throw TesseraException.Invalid("A linear window is at least 1 wide (PS3.3 C.11.2.1.2.1).");
        return new Window(center, width, function);
    }

    private static Viewport? ParseViewport(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var usage = $"viewport is vw,vh[,sx,sy,sw,sh] with vw and vh from 1 to {MaxViewport}, sx and sy from 0, sw and sh not 0; '{text}' is not.";
        if (parts.Length is not (2 or 6)
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var vw) || vw is < 1 or > MaxViewport
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var vh) || vh is < 1 or > MaxViewport)
            throw TesseraException.Invalid(usage);
        if (parts.Length == 2)
            return new Viewport(vw, vh);
        double? Optional(string part) => part.Length == 0 ? null : Number(part, out var v) ? v : throw TesseraException.Invalid(usage);
        var (sx, sy, sw, sh) = (Optional(parts[2]) ?? 0, Optional(parts[3]) ?? 0, Optional(parts[4]), Optional(parts[5]));
        if (sx < 0 || sy < 0 || sw == 0 || sh == 0)
            throw TesseraException.Invalid(usage);
        return new Viewport(vw, vh, sx, sy, sw, sh);
    }

    private static int? Quality(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var quality) && quality is >= 1 and <= 100
            ? quality
            : throw TesseraException.Invalid($"quality is a whole number from 1 to 100; '{text}' is not.");
    }

    private static bool Number(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && Math.Abs(value) < 1e9;
}
