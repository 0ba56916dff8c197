using System.Buffers.Binary;

namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>A frame component of a SOF segment.</summary>
internal sealed record JpegComponent(int Id, int H, int V, int QuantTable)
{
    public int DcTable { get; set; }

    public int AcTable { get; set; }
}

/// <summary>A SOS segment: the components of the scan and its spectral / predictor and point-transform parameters.</summary>
internal sealed record JpegScan(JpegComponent[] Components, int Ss, int Se, int Ah, int Al, int DataStart);

/// <summary>
/// Walks the markers of a JPEG stream (ITU T.81 B.2): tables, the frame header, restart interval and each scan,
/// handing scans to the decoder. Arithmetic coding and hierarchical processes are refused as unsupported.
/// </summary>
internal sealed class JpegStream
{
    private readonly byte[] _data;

    public JpegStream(byte[] data)
    {
        _data = data;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
            throw ImageException.Malformed("the JPEG data does not start with a start-of-image marker");
    }

    public byte[] Data => _data;

    public int SofMarker { get; private set; }

    public int Precision { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    public JpegComponent[] Components { get; private set; } = [];

    public int RestartInterval { get; private set; }

    public JpegHuffmanTable?[] DcTables { get; } = new JpegHuffmanTable?[4];

    public JpegHuffmanTable?[] AcTables { get; } = new JpegHuffmanTable?[4];

    public ushort[]?[] QuantTables { get; } = new ushort[]?[4];

    /// <summary>The marker of the frame (0xC0..0xCF) without decoding anything: decoders are chosen by it.</summary>
    public static (int Marker, int Precision) PeekFrame(ReadOnlySpan<byte> data)
    {
        var p = 2;
        while (p + 4 <= data.Length)
        {
            if (data[p] != 0xFF)
            {
                p++;
                continue;
            }
            int marker = data[p + 1];
            if (marker == 0xFF)
            {
                p++;
                continue;
            }
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(p + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
                return (marker, p + 4 < data.Length ? data[p + 4] : 0);
            if (marker == 0xDA)
                break;
            p += 2 + length;
        }
        throw ImageException.Malformed("the JPEG data has no frame header (SOF marker)");
    }

    /// <summary>Reads markers up to each scan and calls <paramref name="decodeScan"/>, which returns where the scan's data ends.</summary>
    public void Run(Func<JpegScan, int> decodeScan)
    {
        var p = 2;
        while (p + 1 < _data.Length)
        {
            if (_data[p] != 0xFF)
            {
                p++;
                continue;
            }
            int marker = _data[p + 1];
            p += 2;
            if (marker is 0xFF or 0x00 or (>= 0xD0 and <= 0xD7) or 0x01)
            {
                if (marker == 0xFF)
                    p--;
                continue;
            }
            if (marker == 0xD9)
                return;
            if (p + 2 > _data.Length)
                break;
            var length = BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(p));
            if (length < 2 || p + length > _data.Length)
                throw ImageException.Malformed($"a JPEG segment (marker 0x{marker:X2}) runs past the end of the data");
            var segment = _data.AsSpan(p + 2, length - 2);
            switch (marker)
            {
                case 0xC4:
                    ReadHuffmanTables(segment);
                    break;
                case 0xDB:
                    ReadQuantTables(segment);
                    break;
                case 0xDD when segment.Length < 2:
                    throw ImageException.Malformed("the JPEG restart interval segment (DRI) is truncated");
                case 0xDD:
                    RestartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    p = decodeScan(ReadScan(segment, p + length));
                    continue;
                case >= 0xC0 and <= 0xCF and not 0xC8 and not 0xCC:
                    ReadFrame(marker, segment);
                    break;
                case 0xCC:
                    throw ImageException.Unsupported("arithmetic-coded JPEG is not supported");
            }
            p += length;
        }
        if (SofMarker == 0)
            throw ImageException.Malformed("the JPEG data has no frame header (SOF marker)");
    }

    private void ReadFrame(int marker, ReadOnlySpan<byte> segment)
    {
        if (marker is 0xC5 or 0xC6 or 0xC7 or 0xCD or 0xCE or 0xCF)
            throw ImageException.Unsupported("hierarchical JPEG is not supported");
        if (marker is 0xC9 or 0xCA or 0xCB)
            throw ImageException.Unsupported("arithmetic-coded JPEG is not supported");
        if (segment.Length < 6)
            throw ImageException.Malformed("the JPEG frame header is truncated");
        // Buffers are sized by the first frame header: a second one must not resize the frame under them.
        if (SofMarker != 0)
            throw ImageException.Malformed("the JPEG data has a second frame header (SOF marker)");
        SofMarker = marker;
        Precision = segment[0];
        Height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
        Width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
        int count = segment[5];
        if (segment.Length < 6 + count * 3 || count is < 1 or > 4)
            throw ImageException.Malformed($"the JPEG frame header lists {count} components in {segment.Length} bytes");
        if (Width == 0 || Height == 0)
            throw ImageException.Unsupported("JPEG data whose height is given later (DNL marker) is not supported");
        Components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            var c = segment.Slice(6 + i * 3, 3);
            var (h, v) = (c[1] >> 4, c[1] & 15);
            if (h is < 1 or > 4 || v is < 1 or > 4)
                throw ImageException.Malformed($"JPEG component {i + 1} has sampling factors {h}x{v}");
            Components[i] = new JpegComponent(c[0], h, v, c[2] & 3);
        }
    }

    private void ReadHuffmanTables(ReadOnlySpan<byte> segment)
    {
        while (segment.Length >= 17)
        {
            var (cls, id) = (segment[0] >> 4, segment[0] & 3);
            var counts = segment.Slice(1, 16);
            var total = 0;
            foreach (var n in counts)
                total += n;
            if (segment.Length < 17 + total)
                throw ImageException.Malformed("a JPEG Huffman table is truncated");
            var table = new JpegHuffmanTable(counts, segment.Slice(17, total));
            (cls == 0 ? DcTables : AcTables)[id] = table;
            segment = segment[(17 + total)..];
        }
    }

    private void ReadQuantTables(ReadOnlySpan<byte> segment)
    {
        while (segment.Length > 0)
        {
            var (precision, id) = (segment[0] >> 4, segment[0] & 3);
            var size = precision == 0 ? 64 : 128;
            if (segment.Length < 1 + size)
                throw ImageException.Malformed("a JPEG quantisation table is truncated");
            var table = new ushort[64];
            for (var i = 0; i < 64; i++)
                table[i] = precision == 0 ? segment[1 + i] : BinaryPrimitives.ReadUInt16BigEndian(segment[(1 + i * 2)..]);
            QuantTables[id] = table;
            segment = segment[(1 + size)..];
        }
    }

    private JpegScan ReadScan(ReadOnlySpan<byte> segment, int dataStart)
    {
        if (SofMarker == 0)
            throw ImageException.Malformed("a JPEG scan comes before the frame header");
        if (segment.IsEmpty)
            throw ImageException.Malformed("the JPEG scan header is empty");
        int count = segment[0];
        if (segment.Length < 4 + count * 2)
            throw ImageException.Malformed("the JPEG scan header is truncated");
        var components = new JpegComponent[count];
        for (var i = 0; i < count; i++)
        {
            int id = segment[1 + i * 2];
            var component = Components.FirstOrDefault(c => c.Id == id)
                ?? throw ImageException.Malformed($"the JPEG scan names component {id}, which the frame does not have");
            component.DcTable = segment[2 + i * 2] >> 4 & 3;
            component.AcTable = segment[2 + i * 2] & 3;
            components[i] = component;
        }
        var tail = segment[(1 + count * 2)..];
        return new JpegScan(components, tail[0], tail[1], tail[2] >> 4, tail[2] & 15, dataStart);
    }

    public static JpegHuffmanTable Table(JpegHuffmanTable?[] tables, int id, string kind) =>
        tables[id] ?? throw ImageException.Malformed($"the JPEG scan uses {kind} Huffman table {id}, which is not defined");
}
