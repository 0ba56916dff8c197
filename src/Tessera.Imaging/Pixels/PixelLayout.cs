namespace Tessera.Imaging.Pixels;

/// <summary>
/// The geometry and sample format of one frame (DICOM's Image Pixel module, without the DICOM): rows, columns,
/// samples per pixel, bits allocated / stored / high bit, signedness, planar configuration and colour model.
/// </summary>
public sealed record PixelLayout
{
    public required int Rows { get; init; }

    public required int Columns { get; init; }

    public int SamplesPerPixel { get; init; } = 1;

    public required int BitsAllocated { get; init; }

    public int BitsStored { get; init; }

    public int HighBit { get; init; }

    public bool IsSigned { get; init; }

    /// <summary>Samples are stored colour by plane (R…G…B…) rather than by pixel (RGBRGB…).</summary>
    public bool Planar { get; init; }

    /// <summary>Samples are IEEE floats (DICOM Float and Double Float Pixel Data).</summary>
    public bool IsFloat { get; init; }

    public Photometric Photometric { get; init; } = Photometric.Monochrome2;

    /// <summary>Bytes per decoded sample: 1 (also for 1-bit data, which decoding unpacks), 2, 4 or 8.</summary>
    public int BytesPerSample => BitsAllocated <= 8 ? 1 : (BitsAllocated + 7) / 8;

    public int Pixels => checked(Rows * Columns);

    /// <summary>The size of a decoded frame in bytes.</summary>
    public int DecodedBytes => checked(Pixels * SamplesPerPixel * BytesPerSample);

    /// <summary>Bits stored, defaulting to bits allocated when the file leaves it out.</summary>
    public int EffectiveBitsStored => BitsStored is > 0 and var b && b <= BitsAllocated ? b : BitsAllocated;

    /// <summary>Checks what every decoder relies on, once, at the boundary.</summary>
    public void Validate()
    {
        if (Rows <= 0 || Columns <= 0)
            throw ImageException.Malformed($"the image has {Rows} rows and {Columns} columns");
        if (SamplesPerPixel is not (1 or 3 or 4))
            throw ImageException.Unsupported($"{SamplesPerPixel} samples per pixel are not supported (1, 3 or 4 are)");
        if (BitsAllocated is not (1 or 8 or 16 or 32 or 64))
            throw ImageException.Unsupported($"{BitsAllocated} bits allocated are not supported (1, 8, 16, 32 or 64 are)");
        if (BitsStored > BitsAllocated)
            throw ImageException.Malformed($"bits stored ({BitsStored}) exceed bits allocated ({BitsAllocated})");
        if ((long)Rows * Columns * SamplesPerPixel * BytesPerSample > int.MaxValue)
            throw ImageException.Unsupported($"a {Columns} x {Rows} frame is too large to decode at once");
    }
}
