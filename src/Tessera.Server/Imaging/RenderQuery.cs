using System.Globalization;
using Tessera.Imaging.Display;
using Tessera.Imaging.Sources;
using Tessera.Imaging.Tiles;

namespace Tessera.Server.Imaging;

/// <summary>
/// Tessera's rendering parameters, given as query parameters on any IIIF or Deep Zoom request (IIIF's extension
/// point for them): <c>z</c> and <c>t</c> pick the plane (for DICOM, <c>z</c> is the frame, from 0),
/// <c>window=centre,width</c> windows grey values in modality units, <c>invert=true</c> inverts, <c>voi=n</c>
/// picks the file's n-th window or VOI LUT, <c>axis=z|y|x</c> slices a volume (NIfTI) across that axis,
/// <c>channels=0,2</c> shows only those fluorescence channels (each in its colour; empty shows none),
/// <c>contrast=0:255,10:90,…</c> stretches each channel's display values from low to high (one pair per channel).
/// </summary>
internal static class RenderQuery
{
    /// <summary><c>axis=z|y|x</c> (or axial, coronal, sagittal): how a volume is sliced; it also changes info.json.</summary>
    public static SliceAxis Axis(IQueryCollection query) => query["axis"].FirstOrDefault()?.ToLowerInvariant() switch
    {
        null or "" or "z" or "axial" => SliceAxis.Z,
        "y" or "coronal" => SliceAxis.Y,
        "x" or "sagittal" => SliceAxis.X,
        var other => throw IiifException.BadRequest($"axis='{other}' is not z (axial), y (coronal) or x (sagittal)"),
    };

    public static (ImagePlane Plane, RenderOptions Options) Parse(IQueryCollection query, ImageDescription image)
    {
        var z = Integer(query, "z") ?? Integer(query, "frame") ?? 0;
        var t = Integer(query, "t") ?? 0;
        if (z < 0 || z >= image.SizeZ)
            throw IiifException.BadRequest($"z={z} does not exist; the image has planes 0 to {image.SizeZ - 1}");
        if (t < 0 || t >= image.SizeT)
            throw IiifException.BadRequest($"t={t} does not exist; the image has time points 0 to {image.SizeT - 1}");
        Window? window = null;
        if (query["window"].FirstOrDefault() is { Length: > 0 } text)
        {
            var parts = text.Split(',');
            if (parts.Length != 2 || !Number(parts[0], out var center) || !Number(parts[1], out var width) || width <= 0)
                throw IiifException.BadRequest($"window='{text}' is not centre,width with a positive width");
            window = new Window(center, width);
        }
        var invert = query["invert"].FirstOrDefault() switch
        {
            null or "" or "false" or "0" => false,
            "true" or "1" => true,
            var other => throw IiifException.BadRequest($"invert='{other}' is not true or false"),
        };
        var voi = Integer(query, "voi") ?? 0;
        if (voi < 0)
            throw IiifException.BadRequest("voi must be 0 or more");
        List<int>? channels = null;
        if (query["channels"].FirstOrDefault() is { } list)
        {
            channels = [];
            foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) || c < 0 || c >= image.Channels.Count)
                    throw IiifException.BadRequest($"channels='{list}' names a channel that does not exist; the image has {image.Channels.Count} (0 to {image.Channels.Count - 1})");
                channels.Add(c);
            }
        }
        var contrast = Contrast(query, image);
        return (new ImagePlane(z, t), new RenderOptions { Window = window, Invert = invert, VoiIndex = voi, Channels = channels, ChannelRanges = contrast });
    }

    /// <summary><c>contrast=low:high,…</c>: one pair (0 ≤ low &lt; high ≤ 255) per channel of a fluorescence image.</summary>
    private static List<(int Low, int High)>? Contrast(IQueryCollection query, ImageDescription image)
    {
        if (query["contrast"].FirstOrDefault() is not { Length: > 0 } text)
            return null;
        if (image.Channels.Count == 0)
            throw IiifException.BadRequest("contrast= applies to images with fluorescence channels; this one has none");
        var pairs = text.Split(',');
        if (pairs.Length != image.Channels.Count)
            throw IiifException.BadRequest($"contrast='{text}' has {pairs.Length} low:high pairs; the image has {image.Channels.Count} channels");
        var ranges = new List<(int Low, int High)>(pairs.Length);
        foreach (var pair in pairs)
        {
            var bounds = pair.Split(':');
            if (bounds.Length != 2 || !int.TryParse(bounds[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(bounds[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var high) || low < 0 || high > 255 || low >= high)
                throw IiifException.BadRequest($"contrast='{text}': '{pair}' is not low:high with 0 <= low < high <= 255");
            ranges.Add((low, high));
        }
        return ranges;
    }

    private static int? Integer(IQueryCollection query, string name)
    {
        if (query[name].FirstOrDefault() is not { Length: > 0 } text)
            return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw IiifException.BadRequest($"{name}='{text}' is not a whole number");
    }

    private static bool Number(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}
