using System.Buffers.Binary;
using System.IO.Compression;

namespace Tessera.Imaging.Encoding;

/// <summary>
/// A non-interlaced PNG read one row at a time, top to bottom: the header chunks up to the first IDAT are parsed
/// at once, then the image data is inflated as rows are asked for, so a picture of any size is read in the
/// memory of two rows. <see cref="PngDecoder"/> decodes whole pictures through it; large ones are shown from it
/// band by band before their pyramid is built.
/// </summary>
public sealed class PngRows : IDisposable
{
    private readonly ZLibStream _inflate;
    private byte[] _row;
    private byte[] _previous;
    private readonly int _bpp;

    /// <summary>
    /// The largest stored row read (it is kept twice): 64 MB, a picture some 5 million pixels wide at 16-bit RGBA.
    /// A wider one is refused from its header whatever <c>maxPixels</c> says, since rows are read whole.
    /// </summary>
    public const int MaxRowBytes = 64 << 20;

    /// <summary>A palette holds at most 256 entries of 3 bytes (PNG §11.2.3).</summary>
    private const int MaxPaletteBytes = 768;

    /// <param name="maxPixels">Larger images are refused from their header, before anything is allocated for them.</param>
    public PngRows(Stream input, long maxPixels = Codecs.DecodeLimits.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(input);
        Span<byte> signature = stackalloc byte[8];
        if (input.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || signature[1] != 'P' || signature[2] != 'N' || signature[3] != 'G')
            throw ImageException.Malformed("the data is not a PNG file (bad signature)");
        var interlace = 0;
        var header = false;
        Span<byte> head = stackalloc byte[8];
        Span<byte> ihdr = stackalloc byte[13];
        while (true)
        {
            if (input.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8)
                throw ImageException.Malformed("the PNG file ends before its image data (truncated)");
            var length = BinaryPrimitives.ReadInt32BigEndian(head);
            var type = System.Text.Encoding.ASCII.GetString(head[4..]);
            if (length < 0)
                throw ImageException.Malformed($"the PNG chunk {type} claims a negative length");
            if (type == "IDAT")
            {
                _inflate = new ZLibStream(new ImageData(input, length), CompressionMode.Decompress);
                break;
            }
            switch (type)
            {
                case "IHDR" when length != 13:
                    throw ImageException.Malformed($"the PNG header chunk is {length} bytes (13 are defined)");
                case "IHDR":
                    ReadChunk(input, ihdr, type);
                    (Width, Height) = (BinaryPrimitives.ReadInt32BigEndian(ihdr), BinaryPrimitives.ReadInt32BigEndian(ihdr[4..]));
                    (Depth, ColorType, interlace) = (ihdr[8], ihdr[9], ihdr[12]);
                    // PNG §11.2.2: both are 1 to 2^31 - 1; a negative one is a header that lies.
                    if (Width <= 0 || Height <= 0)
                        throw ImageException.Malformed($"the PNG header (IHDR) declares {Width}×{Height} pixels");
                    new Codecs.DecodeLimits { MaxPixels = maxPixels }.CheckDeclared("PNG header (IHDR)", Width, Height);
                    header = true;
                    break;
                case "PLTE" when length > MaxPaletteBytes:
                    throw ImageException.Malformed($"the PNG palette chunk is {length} bytes (at most {MaxPaletteBytes} are defined)");
                case "PLTE":
                    Palette = new byte[length];
                    ReadChunk(input, Palette, type);
                    break;
                case "IEND":
                    throw ImageException.Malformed("the PNG file has no image data");
                default:
                    // Text, colour profiles, EXIF…: not shown, so skipped unread whatever length they claim.
                    Skip(input, length, type);
                    break;
            }
        }
        if (!header)
            throw ImageException.Malformed("the PNG file has no header");
        if (interlace != 0)
            throw ImageException.Unsupported("interlaced PNG is not supported");
        Channels = ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw ImageException.Malformed($"the PNG colour type {ColorType} is not defined") };
        if (Depth is not (1 or 2 or 4 or 8 or 16))
            throw ImageException.Malformed($"the PNG bit depth {Depth} is not defined");
        var bits = Channels * Depth;
        var rowBytes = ((long)Width * bits + 7) / 8;
        if (rowBytes > MaxRowBytes)
            throw ImageException.Unsupported($"the PNG header (IHDR) declares rows of {Width} pixels, {rowBytes} bytes each: more than the {MaxRowBytes} read at once");
        RowBytes = (int)rowBytes;
        _bpp = Math.Max(1, bits / 8);
        _row = new byte[RowBytes + 1];
        _previous = new byte[RowBytes + 1];
    }

    /// <summary>A chunk's data and CRC (not checked: a damaged chunk shows as damaged pixels or a failed inflate).</summary>
    private static void ReadChunk(Stream input, Span<byte> data, string type)
    {
        Span<byte> crc = stackalloc byte[4];
        if (input.ReadAtLeast(data, data.Length, throwOnEndOfStream: false) < data.Length || input.ReadAtLeast(crc, 4, throwOnEndOfStream: false) < 4)
            throw ImageException.Malformed($"the PNG chunk {type} is truncated");
    }

    private static void Skip(Stream input, int length, string type)
    {
        Span<byte> scratch = stackalloc byte[4096];
        long left = length + 4L; // and its CRC
        while (left > 0)
        {
            var read = input.Read(scratch[..(int)Math.Min(scratch.Length, left)]);
            if (read == 0)
                throw ImageException.Malformed($"the PNG chunk {type} is truncated");
            left -= read;
        }
    }

    public int Width { get; }

    public int Height { get; }

    public int Depth { get; }

    public int ColorType { get; }

    public byte[]? Palette { get; }

    /// <summary>Samples per pixel as stored (a palette index counts as one).</summary>
    public int Channels { get; }

    public int RowBytes { get; }

    /// <summary>Colour output (RGB or palette) rather than grey; alpha is always dropped.</summary>
    public bool Colour => ColorType is 2 or 3 or 6;

    /// <summary>How many rows have been read.</summary>
    public int Row { get; private set; }

    /// <summary>The next row, unfiltered, as stored (valid until the next call).</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (Row >= Height)
            throw new InvalidOperationException("every row has been read");
        (_previous, _row) = (_row, _previous);
        try
        {
            if (_inflate.ReadAtLeast(_row, _row.Length, throwOnEndOfStream: false) < _row.Length)
                throw ImageException.Malformed("the PNG image data ends early (truncated)");
        }
        // Corrupt zlib data surfaces as InvalidDataException or, for some headers (one that asks for a preset
        // dictionary), as the runtime's internal ZLibException: matched by name, as it cannot be named in code.
        catch (Exception e) when (e is InvalidDataException || e.GetType().FullName == "System.IO.Compression.ZLibException")
        {
            throw new ImageException(ImageErrorKind.Malformed, $"the PNG image data does not inflate: {e.Message}", e);
        }
        var filter = _row[0];
        var row = _row.AsSpan(1);
        var above = Row > 0 ? _previous.AsSpan(1) : default;
        for (var i = 0; i < row.Length; i++)
        {
            int a = i >= _bpp ? row[i - _bpp] : 0, b = above.IsEmpty ? 0 : above[i], c = i >= _bpp && !above.IsEmpty ? above[i - _bpp] : 0;
            row[i] = (byte)(row[i] + filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                4 => PngEncoder.Paeth(a, b, c),
                _ => throw ImageException.Malformed($"the PNG row filter {filter} is not defined"),
            });
        }
        Row++;
        return row;
    }

    /// <summary>
    /// A stored row as display samples: grey or RGB (palettes expanded, alpha dropped, low depths scaled to 8 bits),
    /// 16-bit samples little endian when <paramref name="wide"/>, else their high byte.
    /// </summary>
    public void ToSamples(ReadOnlySpan<byte> stored, Span<byte> output, bool wide)
    {
        var outChannels = Colour ? 3 : 1;
        var outBytes = wide && Depth == 16 ? 2 : 1;
        for (var x = 0; x < Width; x++)
        {
            for (var c = 0; c < outChannels; c++)
            {
                int value;
                if (ColorType == 3)
                {
                    var index = Sample(stored, x);
                    if (Palette is null || index * 3 + 2 >= Palette.Length)
                        throw ImageException.Malformed("a PNG palette index lies outside its palette");
                    value = Palette[index * 3 + c];
                }
                else
                {
                    value = Sample(stored, x * Channels + c);
                    if (Depth < 8)
                        value = value * 255 / ((1 << Depth) - 1);
                    else if (Depth == 16 && outBytes == 1)
                        value >>= 8;
                }
                var to = (x * outChannels + c) * outBytes;
                if (outBytes == 2)
                    BinaryPrimitives.WriteUInt16LittleEndian(output[to..], (ushort)value);
                else
                    output[to] = (byte)value;
            }
        }
    }

    private int Sample(ReadOnlySpan<byte> row, int index) => Depth switch
    {
        16 => row[index * 2] << 8 | row[index * 2 + 1],
        8 => row[index],
        _ => (row[index * Depth / 8] >> (8 - Depth - index * Depth % 8)) & ((1 << Depth) - 1),
    };

    public void Dispose() => _inflate.Dispose();

    /// <summary>The IDAT chunks' contents as one stream (chunk headers and CRCs skipped), ending at the first other chunk.</summary>
    private sealed class ImageData(Stream input, int first) : Stream
    {
        private int _left = first;
        private bool _done;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (!_done && _left == 0)
                NextChunk();
            if (_done || buffer.IsEmpty)
                return 0;
            var read = input.Read(buffer[..Math.Min(buffer.Length, _left)]);
            if (read == 0)
                throw ImageException.Malformed("the PNG image data ends early (truncated)");
            _left -= read;
            return read;
        }

        private void NextChunk()
        {
            Span<byte> head = stackalloc byte[12];
            // The CRC of the chunk just read, then the next chunk's length and type.
            if (input.ReadAtLeast(head, 12, throwOnEndOfStream: false) < 12)
                throw ImageException.Malformed("the PNG image data ends early (truncated)");
            if (!head[8..12].SequenceEqual("IDAT"u8))
            {
                _done = true;
                return;
            }
            _left = BinaryPrimitives.ReadInt32BigEndian(head[4..]);
            if (_left < 0)
                throw ImageException.Malformed("a PNG IDAT chunk claims a negative length");
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
