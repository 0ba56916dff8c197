namespace Tessera.Imaging.Pixels;

/// <summary>How samples map to colour (DICOM PS3.3 C.7.6.3.1.2), with the names the standard uses.</summary>
public enum Photometric
{
    Monochrome1,
    Monochrome2,
    Rgb,
    YbrFull,
    YbrFull422,
    YbrPartial420,
    YbrIct,
    YbrRct,
    PaletteColor,
}

public static class PhotometricNames
{
    /// <summary>The enum value of a DICOM Photometric Interpretation string; an unknown one is refused.</summary>
    public static Photometric Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "MONOCHROME1" => Photometric.Monochrome1,
        "MONOCHROME2" or "" or null => Photometric.Monochrome2,
        "RGB" => Photometric.Rgb,
        "YBR_FULL" => Photometric.YbrFull,
        "YBR_FULL_422" => Photometric.YbrFull422,
        "YBR_PARTIAL_420" => Photometric.YbrPartial420,
        "YBR_ICT" => Photometric.YbrIct,
        "YBR_RCT" => Photometric.YbrRct,
        "PALETTE COLOR" => Photometric.PaletteColor,
        var other => throw ImageException.Unsupported($"the photometric interpretation '{other}' is not supported"),
    };

    public static bool IsMonochrome(this Photometric photometric) =>
        photometric is Photometric.Monochrome1 or Photometric.Monochrome2;

    public static bool IsYbr(this Photometric photometric) =>
        photometric is Photometric.YbrFull or Photometric.YbrFull422 or Photometric.YbrPartial420 or Photometric.YbrIct or Photometric.YbrRct;
}
