using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Display;

/// <summary>
/// Turns a decoded frame into an 8-bit image for a screen: for grey images the modality transform, the VOI
/// transform (the asked-for window, else the file's, else the frame's own range) and MONOCHROME1's inversion;
/// for colour images YBR to RGB and palette lookup.
/// </summary>
public static class FrameRenderer
{
    public static RasterImage Render(PixelFrame frame, DisplaySettings settings, RenderOptions? options = null)
    {
        options ??= RenderOptions.Default;
        var layout = frame.Layout;
        if (layout.SamplesPerPixel == 3)
            return ColorConverter.ToRgb(frame);
        if (layout.SamplesPerPixel != 1)
            throw ImageException.Unsupported($"images of {layout.SamplesPerPixel} samples per pixel cannot be shown");
        if (layout.Photometric == Photometric.PaletteColor)
            return ColorConverter.ApplyPalette(frame, settings.Palette ?? throw ImageException.Malformed("a PALETTE COLOR image has no palette"));
        return RenderGrey(frame, settings, options);
    }

    private static RasterImage RenderGrey(PixelFrame frame, DisplaySettings settings, RenderOptions options)
    {
        var layout = frame.Layout;
        var pixels = layout.Pixels;
        var invert = (layout.Photometric == Photometric.Monochrome1) ^ options.Invert;
        var voi = Voi(frame, settings, options);
        var output = new byte[pixels];
        if (!layout.IsFloat && layout.BytesPerSample <= 2 && layout.EffectiveBitsStored <= 16)
        {
            // Every stored code maps through one table: the transforms run once per code, not once per pixel.
            var bits = layout.EffectiveBitsStored;
            var shift = StoredValues.Shift(layout);
            var table = new byte[1 << bits];
            for (var code = 0; code < table.Length; code++)
                table[code] = ToByte(voi(Modality(StoredValues.Normalize((long)code << shift, layout), settings)), invert);
            var mask = (1 << bits) - 1;
            var data = frame.Data;
            if (layout.BytesPerSample == 1)
            {
                for (var i = 0; i < pixels; i++)
                    output[i] = table[(data[i] >> shift) & mask];
            }
            else
            {
                for (var i = 0; i < pixels; i++)
                    output[i] = table[((data[i * 2] | data[i * 2 + 1] << 8) >> shift) & mask];
            }
        }
        else
        {
            for (var i = 0; i < pixels; i++)
                output[i] = ToByte(voi(Modality(StoredValues.Read(frame, i), settings)), invert);
        }
        return new RasterImage(layout.Columns, layout.Rows, 1, output);
    }

    private static double Modality(double stored, DisplaySettings settings) =>
        settings.ModalityLut is { } lut ? lut.Map(stored) : stored * settings.RescaleSlope + settings.RescaleIntercept;

    /// <summary>The VOI transform to 0..1: the asked-for window, the file's chosen window or VOI LUT, else the frame's range.</summary>
    private static Func<double, double> Voi(PixelFrame frame, DisplaySettings settings, RenderOptions options)
    {
        if (options.Window is { } asked)
            return asked.Apply;
        if (settings.Windows.Count > 0)
        {
            var window = settings.Windows[Math.Clamp(options.VoiIndex, 0, settings.Windows.Count - 1)];
            if (window.Width > 0)
                return window.Apply;
        }
        if (settings.VoiLuts.Count > 0)
        {
            var lut = settings.VoiLuts[Math.Clamp(options.VoiIndex, 0, settings.VoiLuts.Count - 1)];
            return x => lut.Map(x) / (double)lut.MaxOutput;
        }
        var (min, max) = Range(frame, settings);
        var range = new Window((min + max) / 2 + 0.5, Math.Max(1, max - min + 1));
        return range.Apply;
    }

    /// <summary>The smallest and largest modality value in the frame.</summary>
    public static (double Min, double Max) Range(PixelFrame frame, DisplaySettings settings)
    {
        var (min, max) = (double.MaxValue, double.MinValue);
        var count = frame.Layout.Pixels;
        for (var i = 0; i < count; i++)
        {
            var value = Modality(StoredValues.Read(frame, i), settings);
            if (double.IsNaN(value))
                continue;
            min = Math.Min(min, value);
            max = Math.Max(max, value);
        }
        return min > max ? (0, 0) : (min, max);
    }

    private static byte ToByte(double unit, bool invert)
    {
        var value = (int)Math.Round(Math.Clamp(double.IsNaN(unit) ? 0 : unit, 0, 1) * 255);
        return (byte)(invert ? 255 - value : value);
    }
}
