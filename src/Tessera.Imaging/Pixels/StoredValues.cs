using System.Buffers.Binary;

namespace Tessera.Imaging.Pixels;

/// <summary>Reads the stored values of a decoded frame: masked to bits stored and sign-extended when signed.</summary>
public static class StoredValues
{
    /// <summary>The value of sample <paramref name="index"/> (counting every sample of every pixel).</summary>
    public static double Read(PixelFrame frame, int index)
    {
        var layout = frame.Layout;
        var data = frame.Data.AsSpan();
        if (layout.IsFloat)
        {
            return layout.BitsAllocated == 64
                ? BinaryPrimitives.ReadDoubleLittleEndian(data[(index * 8)..])
                : BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]);
        }
        long raw = layout.BytesPerSample switch
        {
            1 => data[index],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(data[(index * 2)..]),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(data[(index * 4)..]),
            _ => (long)BinaryPrimitives.ReadUInt64LittleEndian(data[(index * 8)..]),
        };
        return Normalize(raw, layout);
    }

    /// <summary>How far the stored bits sit above bit 0 of their word (high bit − bits stored + 1).</summary>
    public static int Shift(PixelLayout layout) => Math.Max(0, layout.HighBit - layout.EffectiveBitsStored + 1);

    /// <summary>Masks a raw word to bits stored (shifted down from the high bit) and sign-extends it when signed.</summary>
    public static long Normalize(long raw, PixelLayout layout)
    {
        var bits = layout.EffectiveBitsStored;
        if (bits >= 64)
            return raw;
        var value = (raw >> Shift(layout)) & ((1L << bits) - 1);
        if (layout.IsSigned && (value & (1L << (bits - 1))) != 0)
            value -= 1L << bits;
        return value;
    }
}
