namespace Tessera.Server.Import;

/// <summary>
/// CRC-32 as zip files use it (ISO-HDLC: reflected polynomial 0xEDB88320), to check each entry's
/// content against the checksum its header declares (System.IO.Hashing is not in our package source).
/// </summary>
internal sealed class Crc32
{
    private static readonly uint[] Table = BuildTable();
    private uint _state = 0xFFFF_FFFF;

    public uint Value => ~_state;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _state;
        foreach (var b in data)
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _state = crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
