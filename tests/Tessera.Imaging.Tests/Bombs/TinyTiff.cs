using System.Buffers.Binary;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// Writes a one-directory, little-endian tiled TIFF with the tags given as they are (true or not), so that tests can
/// hand libtiff and <see cref="Sources.TiffSource"/> headers that lie.
/// </summary>
internal static class TinyTiff
{
    public sealed record Tags(int Width, int Height, int TileWidth, int TileHeight, int Samples = 1, ushort Compression = 1, ushort Photometric = 1)
    {
        /// <summary>The TileByteCounts value; the tile's own length when null.</summary>
        public uint? ByteCount { get; init; }
    }

    public static string Write(string directory, string name, Tags tags, byte[] tile)
    {
        const int entries = 10;
        var ifd = 8;
        var bits = ifd + 2 + entries * 12 + 4;
        var data = bits + 8;
        var output = new byte[data + tile.Length];
        "II*\0"u8.CopyTo(output);
        BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(4), (uint)ifd);
        BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(ifd), entries);
        var at = ifd + 2;
        void Entry(ushort tag, ushort type, uint count, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(at + 4), count);
            BinaryPrimitives.WriteUInt32LittleEndian(output.AsSpan(at + 8), value);
            at += 12;
        }
        const ushort Short = 3, Long = 4;
        Entry(256, Long, 1, (uint)tags.Width);
        Entry(257, Long, 1, (uint)tags.Height);
        // One sample's bits fit the entry; several are an array of shorts after the directory.
        Entry(258, Short, (uint)tags.Samples, tags.Samples == 1 ? 8u : (uint)bits);
        Entry(259, Short, 1, tags.Compression);
        Entry(262, Short, 1, tags.Photometric);
        Entry(277, Short, 1, (uint)tags.Samples);
        Entry(322, Long, 1, (uint)tags.TileWidth);
        Entry(323, Long, 1, (uint)tags.TileHeight);
        Entry(324, Long, 1, (uint)data);
        Entry(325, Long, 1, tags.ByteCount ?? (uint)tile.Length);
        for (var s = 0; s < Math.Min(tags.Samples, 4); s++)
            BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(bits + s * 2), 8);
        tile.CopyTo(output, data);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, output);
        return path;
    }
}
