namespace Tessera.Imaging.Display;

/// <summary>
/// A DICOM lookup table (PS3.3 C.11.1.1): values below <see cref="FirstMapped"/> map to the first entry, values
/// past the last entry to the last; entries have <see cref="Bits"/> bits.
/// </summary>
public sealed record Lut(int FirstMapped, int Bits, ushort[] Entries)
{
    public int Map(double value)
    {
        var index = (long)Math.Floor(value) - FirstMapped;
        return Entries[(int)Math.Clamp(index, 0, Entries.Length - 1)];
    }

    /// <summary>The largest value an entry can take.</summary>
    public int MaxOutput => (1 << Math.Clamp(Bits, 1, 16)) - 1;
}

/// <summary>The three tables of PALETTE COLOR (PS3.3 C.7.6.3.1.5), sharing one first-mapped value.</summary>
public sealed record PaletteLut(Lut Red, Lut Green, Lut Blue);
