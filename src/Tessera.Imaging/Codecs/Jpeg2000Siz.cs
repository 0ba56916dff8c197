using System.Buffers.Binary;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// The image and tile geometry of a JPEG 2000 codestream's SIZ marker segment (ISO 15444-1 A.5.1), read before
/// OpenJPEG sees the data: opj_read_header already sets up every declared tile (some 5 KB each, up to 65535), so
/// a lying SIZ costs hundreds of megabytes before opj_decode is even called.
/// </summary>
internal readonly record struct Jpeg2000Siz(long Width, long Height, long TileWidth, long TileHeight, long TilesX, long TilesY, int Components)
{
    public long Tiles => TilesX * TilesY;

    /// <summary>The SIZ of a raw codestream (SOC first) or of the first codestream box (jp2c) of a JP2 file.</summary>
    public static Jpeg2000Siz Read(ReadOnlySpan<byte> data)
    {
        var codestream = IsJp2(data) ? Jp2Codestream(data) : data;
        // SIZ immediately follows SOC (A.4.1, A.5.1).
        if (codestream.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(codestream) != 0xFF4F || BinaryPrimitives.ReadUInt16BigEndian(codestream[2..]) != 0xFF51)
            throw ImageException.Malformed("the JPEG 2000 data does not start with SOC and SIZ markers");
        var siz = codestream[4..];
        if (siz.Length < 38)
            throw ImageException.Malformed("the JPEG 2000 SIZ marker is truncated");
        var (x1, y1, x0, y0) = (U32(siz, 4), U32(siz, 8), U32(siz, 12), U32(siz, 16));
        var (tileWidth, tileHeight, tileX0, tileY0) = (U32(siz, 20), U32(siz, 24), U32(siz, 28), U32(siz, 32));
        int components = BinaryPrimitives.ReadUInt16BigEndian(siz[36..]);
        if (x1 <= x0 || y1 <= y0 || tileWidth == 0 || tileHeight == 0 || tileX0 > x0 || tileY0 > y0
            || (long)tileX0 + tileWidth <= x0 || (long)tileY0 + tileHeight <= y0 || components is < 1 or > 16384)
        {
            throw ImageException.Malformed(
                $"the JPEG 2000 SIZ marker is inconsistent (image {x0},{y0} to {x1},{y1}; tiles of {tileWidth}×{tileHeight} from {tileX0},{tileY0}; {components} components)");
        }
        return new Jpeg2000Siz(
            (long)x1 - x0, (long)y1 - y0, tileWidth, tileHeight,
            ((long)x1 - tileX0 + tileWidth - 1) / tileWidth, ((long)y1 - tileY0 + tileHeight - 1) / tileHeight, components);
    }

    private static uint U32(ReadOnlySpan<byte> segment, int at) => BinaryPrimitives.ReadUInt32BigEndian(segment[at..]);

    private static bool IsJp2(ReadOnlySpan<byte> data) => data.Length >= 12 && data[4..8].SequenceEqual("jP  "u8);

    /// <summary>The contents of the first jp2c box, walking the top-level boxes (ISO 15444-1 I.4).</summary>
    private static ReadOnlySpan<byte> Jp2Codestream(ReadOnlySpan<byte> data)
    {
        var at = 0L;
        while (at + 8 <= data.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(data[(int)at..]);
            var type = data.Slice((int)at + 4, 4);
            var header = 8L;
            if (length == 1)
            {
                if (at + 16 > data.Length)
                    break;
                length = (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(data[(int)(at + 8)..]), long.MaxValue);
                header = 16;
            }
            else if (length == 0)
            {
                length = data.Length - at; // the last box runs to the end
            }
            if (type.SequenceEqual("jp2c"u8))
                return data[(int)(at + header)..(int)Math.Min(data.Length, at + Math.Max(length, header))];
            if (length < header)
                break;
            at += length;
        }
        throw ImageException.Malformed("the JP2 file has no codestream box");
    }
}
