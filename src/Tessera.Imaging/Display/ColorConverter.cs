using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Display;

/// <summary>Colour frames to 8-bit RGB: YBR_FULL by PS3.3 C.7.6.3.1.2's equations, palettes by lookup, deep samples scaled.</summary>
public static class ColorConverter
{
    public static RasterImage ToRgb(PixelFrame frame)
    {
        var layout = frame.Layout;
        var pixels = layout.Pixels;
        var output = new byte[pixels * 3];
        var samples = pixels * 3;
        if (layout.BytesPerSample == 1)
        {
            frame.Data.AsSpan(0, samples).CopyTo(output);
        }
        else
        {
            var max = (1L << Math.Min(layout.EffectiveBitsStored, 32)) - 1;
            for (var i = 0; i < samples; i++)
                output[i] = (byte)Math.Round(Math.Clamp(StoredValues.Read(frame, i), 0, max) * 255 / max);
        }
        if (layout.Photometric.IsYbr())
            YbrToRgb(output);
        return new RasterImage(layout.Columns, layout.Rows, 3, output);
    }

    /// <summary>YBR_FULL (8-bit, interleaved) to RGB, in place.</summary>
    public static void YbrToRgb(Span<byte> pixels)
    {
        for (var i = 0; i + 2 < pixels.Length; i += 3)
        {
            double y = pixels[i], cb = pixels[i + 1] - 128.0, cr = pixels[i + 2] - 128.0;
            pixels[i] = Clamp(y + 1.402 * cr);
            pixels[i + 1] = Clamp(y - 0.344136 * cb - 0.714136 * cr);
            pixels[i + 2] = Clamp(y + 1.772 * cb);
        }
    }

    public static RasterImage ApplyPalette(PixelFrame frame, PaletteLut palette)
    {
        var layout = frame.Layout;
        var pixels = layout.Pixels;
        var output = new byte[pixels * 3];
        var tables = new[] { palette.Red, palette.Green, palette.Blue };
        var shifts = tables.Select(EntryShift).ToArray();
        for (var i = 0; i < pixels; i++)
        {
            var value = StoredValues.Read(frame, i);
            for (var c = 0; c < 3; c++)
                output[i * 3 + c] = (byte)(tables[c].Map(value) >> shifts[c]);
        }
        return new RasterImage(layout.Columns, layout.Rows, 3, output);
    }

    /// <summary>16-bit entries are scaled down, unless every entry fits in 8 bits (a common writer's defect).</summary>
    private static int EntryShift(Lut lut) => lut.Bits <= 8 || lut.Entries.All(e => e <= 255) ? 0 : 8;

    private static byte Clamp(double value) => (byte)Math.Clamp((int)Math.Round(value), 0, 255);
}
