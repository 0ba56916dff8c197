using System.Buffers.Binary;

namespace Tessera.Imaging.Sources;

/// <summary>The size of a PNG or JPEG picture from its first bytes, without decoding it.</summary>
public static class RasterHeader
{
    /// <summary>Width and height, or null when <paramref name="head"/> is neither or ends before the size is stated.</summary>
    public static (int Width, int Height)? Size(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 24 && head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) && head[12..16].SequenceEqual("IHDR"u8))
            return (BinaryPrimitives.ReadInt32BigEndian(head[16..]), BinaryPrimitives.ReadInt32BigEndian(head[20..]));
        if (head.Length < 4 || head[0] != 0xFF || head[1] != 0xD8)
            return null;
        // JPEG: walk the marker segments to the first start of frame (SOF0-15 but DHT, JPG and DAC).
        var at = 2;
        while (at + 4 <= head.Length)
        {
            if (head[at] != 0xFF)
                return null;
            var marker = head[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(head[(at + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (at + 9 > head.Length)
                    return null;
                return (BinaryPrimitives.ReadUInt16BigEndian(head[(at + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(head[(at + 5)..]));
            }
            if (marker == 0xDA || length < 2)
                return null;
            at += 2 + length;
        }
        return null;
    }
}
