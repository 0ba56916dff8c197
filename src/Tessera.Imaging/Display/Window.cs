namespace Tessera.Imaging.Display;

/// <summary>The VOI LUT Function of a window (PS3.3 C.11.2.1.3).</summary>
public enum WindowFunction
{
    Linear,
    LinearExact,
    Sigmoid,
}

/// <summary>A window centre and width, in modality units (after rescale).</summary>
public readonly record struct Window(double Center, double Width, WindowFunction Function = WindowFunction.Linear)
{
    /// <summary>Maps a modality value to 0..1 (PS3.3 C.11.2.1.2).</summary>
    public double Apply(double x)
    {
        switch (Function)
        {
            case WindowFunction.Sigmoid:
                return 1 / (1 + Math.Exp(-4 * (x - Center) / Math.Max(Width, double.Epsilon)));
            case WindowFunction.LinearExact:
                if (x <= Center - Width / 2)
                    return 0;
                return x > Center + Width / 2 ? 1 : (x - Center) / Width + 0.5;
            default:
                var w = Math.Max(Width, 1);
                var low = Center - 0.5 - (w - 1) / 2;
                if (x <= low)
                    return 0;
                return x > Center - 0.5 + (w - 1) / 2 ? 1 : (x - (Center - 0.5)) / (w - 1) + 0.5;
        }
    }

    public static WindowFunction ParseFunction(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "LINEAR_EXACT" => WindowFunction.LinearExact,
        "SIGMOID" => WindowFunction.Sigmoid,
        _ => WindowFunction.Linear,
    };
}
