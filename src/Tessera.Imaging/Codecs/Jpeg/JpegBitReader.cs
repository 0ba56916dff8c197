namespace Tessera.Imaging.Codecs.Jpeg;

/// <summary>
/// Reads the entropy-coded bits of a scan: removes the stuffed zero after each 0xFF, stops at a marker (feeding
/// zero bits past it) and steps over restart markers when asked.
/// </summary>
internal sealed class JpegBitReader(byte[] data, int position)
{
    /// <summary>Bytes of zeros tolerated past the end before the data counts as truncated.</summary>
    private const int MaxPhantomBytes = 64;

    private ulong _bits;
    private int _count;
    private int _position = position;
    private bool _atMarker;
    private int _phantom;

    public int Position => _position;

    public int Peek(int n)
    {
        if (_count < n)
            Fill();
        return (int)(_bits >> (64 - n));
    }

    public void Skip(int n)
    {
        _bits <<= n;
        _count -= n;
    }

    public int Read(int n)
    {
        if (n == 0)
            return 0;
        var value = Peek(n);
        Skip(n);
        return value;
    }

    /// <summary>Reads <paramref name="size"/> bits as a signed magnitude (T.81 F.2.2.1, EXTEND).</summary>
    public int ReadSigned(int size)
    {
        if (size == 0)
            return 0;
        var value = Read(size);
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
    }

    /// <summary>At a restart interval's end: drops the bits left and steps over the RSTn marker.</summary>
    public void Restart()
    {
        _bits = 0;
        _count = 0;
        _atMarker = false;
        _phantom = 0;
        while (_position + 1 < data.Length)
        {
            if (data[_position] == 0xFF && data[_position + 1] is >= 0xD0 and <= 0xD7)
            {
                _position += 2;
                return;
            }
            if (data[_position] == 0xFF && data[_position + 1] != 0 && data[_position + 1] != 0xFF)
                return; // another marker: the restart marker is missing; decode on
            _position++;
        }
    }

    /// <summary>The position after the scan's last entropy-coded byte, where the next marker starts.</summary>
    public int EndOfScan()
    {
        var p = _position;
        while (p + 1 < data.Length && !(data[p] == 0xFF && data[p + 1] != 0 && data[p + 1] is < 0xD0 or > 0xD7))
            p++;
        return p;
    }

    private void Fill()
    {
        while (_count <= 56)
        {
            ulong b = 0;
            if (!_atMarker && _position < data.Length)
            {
                var value = data[_position];
                if (value != 0xFF)
                {
                    b = value;
                    _position++;
                }
                else
                {
                    var next = _position + 1 < data.Length ? data[_position + 1] : 0xD9;
                    if (next == 0)
                    {
                        b = 0xFF;
                        _position += 2;
                    }
                    else
                    {
                        _atMarker = true;
                    }
                }
            }
            else if (++_phantom > MaxPhantomBytes)
            {
                throw ImageException.Malformed("the JPEG data ends before the image does (truncated)");
            }
            _bits |= b << (56 - _count);
            _count += 8;
        }
    }
}
