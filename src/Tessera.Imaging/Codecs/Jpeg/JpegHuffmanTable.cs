namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>A Huffman table of a DHT segment (ITU T.81 Annex C), with an 8-bit lookup for the short codes.</summary>
internal sealed class JpegHuffmanTable
{
    private const int FastBits = 8;
    private readonly ushort[] _fast = new ushort[1 << FastBits];
    private readonly int[] _maxCode = new int[18];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;

    /// <param name="counts">How many codes have each length 1..16.</param>
    /// <param name="values">The symbols, in order of increasing code length.</param>
    public JpegHuffmanTable(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
    {
        _values = values.ToArray();
        var code = 0;
        var k = 0;
        for (var length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            // Checked before the codes are laid out: too many short codes would run past the lookup table.
            if (code + n > 1 << length)
                throw ImageException.Malformed("a JPEG Huffman table has more codes than its lengths allow");
            _valueOffset[length] = k - code;
            for (var i = 0; i < n; i++, code++, k++)
            {
                if (length > FastBits)
                    continue;
                var first = code << (FastBits - length);
                var span = 1 << (FastBits - length);
                for (var j = 0; j < span; j++)
                    _fast[first + j] = (ushort)((length << 8) | _values[k]);
            }
            _maxCode[length] = n > 0 ? code - 1 : -1;
            code <<= 1;
        }
        _maxCode[17] = int.MaxValue;
    }

    /// <summary>Decodes one symbol from the reader's bits.</summary>
    public int Decode(JpegBitReader reader)
    {
        var peek = reader.Peek(16);
        var fast = _fast[peek >> (16 - FastBits)];
        if (fast != 0)
        {
            reader.Skip(fast >> 8);
            return fast & 0xFF;
        }
        for (var length = FastBits + 1; length <= 16; length++)
        {
            var code = peek >> (16 - length);
            if (code <= _maxCode[length])
            {
                reader.Skip(length);
                var index = code + _valueOffset[length];
                if (index < 0 || index >= _values.Length)
                    break;
                return _values[index];
            }
        }
        throw ImageException.Malformed("the JPEG data holds a bit pattern that is not a Huffman code of its table");
    }
}
