using System.Buffers.Binary;

namespace Tessera.Dicom.IO;

/// <summary>
/// A forward reader over a stream with its own buffer: little reads are cheap, large values are
/// read in chunks as the data actually arrives, and skips seek where the stream can.
/// </summary>
internal sealed class DicomInput
{
    private const int ChunkSize = 1 << 20;
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;

    public DicomInput(Stream stream, long startOffset, int bufferSize = 16 * 1024)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
        _bufferOffset = startOffset;
        CanSeek = stream.CanSeek;
        if (CanSeek)
            Length = stream.Length;
    }

    public bool CanSeek { get; }

    /// <summary>The stream's length when it can seek; lets a claimed length be checked before anything is read.</summary>
    public long? Length { get; }

    public long Position => _bufferOffset + _start;

    public int Available => _end - _start;

    /// <summary>Makes <paramref name="count"/> bytes available in <see cref="Peek"/>; false when the stream ends first.</summary>
    public bool Ensure(int count)
    {
        if (_end - _start >= count)
            return true;
        Fill(count);
        return _end - _start >= count;
    }

    public ReadOnlySpan<byte> Peek(int count) => _buffer.AsSpan(_start, count);

    public void Advance(int count) => _start += count;

    public bool AtEnd => _end == _start && (_eof || !Ensure(1));

    public ushort ReadUInt16(bool bigEndian)
    {
        Require(2);
        var span = _buffer.AsSpan(_start, 2);
        _start += 2;
        return bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(span) : BinaryPrimitives.ReadUInt16LittleEndian(span);
    }

    public uint ReadUInt32(bool bigEndian)
    {
        Require(4);
        var span = _buffer.AsSpan(_start, 4);
        _start += 4;
        return bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(span) : BinaryPrimitives.ReadUInt32LittleEndian(span);
    }

    /// <summary>Reads a value whole. Memory grows only as data arrives, so a false length cannot make it allocate what is not there.</summary>
    public byte[] ReadBytes(long length, DicomTag? tag)
    {
        if (length == 0)
            return [];
        CheckFits(length, tag);
        if (length > BulkDataReference.MaxInMemoryLength)
            throw new DicomException($"a value of {length} bytes is too large to load into memory", Position, tag);
        var available = Math.Min(_end - _start, (int)Math.Min(length, int.MaxValue));
        if (available == length)
        {
            var whole = _buffer.AsSpan(_start, available).ToArray();
            _start += available;
            return whole;
        }
        using var collected = new MemoryStream((int)Math.Min(length, ChunkSize));
        collected.Write(_buffer, _start, available);
        _start += available;
        var remaining = length - available;
        var chunk = new byte[(int)Math.Min(remaining, ChunkSize)];
        while (remaining > 0)
        {
            var read = _stream.Read(chunk, 0, (int)Math.Min(remaining, chunk.Length));
            if (read == 0)
                throw Truncated(length, length - remaining, tag);
            collected.Write(chunk, 0, read);
            remaining -= read;
            _bufferOffset += read;
        }
        return collected.ToArray();
    }

    /// <summary>Moves past a value without keeping it: a seek where possible, else read and discarded.</summary>
    public void Skip(long length, DicomTag? tag)
    {
        CheckFits(length, tag);
        var inBuffer = (int)Math.Min(length, _end - _start);
        _start += inBuffer;
        var remaining = length - inBuffer;
        if (remaining == 0)
            return;
        _bufferOffset += _end;
        _start = _end = 0;
        if (CanSeek)
        {
            _stream.Seek(remaining, SeekOrigin.Current);
            _bufferOffset += remaining;
            return;
        }
        var discard = _buffer;
        var skipped = 0L;
        while (skipped < remaining)
        {
            var read = _stream.Read(discard, 0, (int)Math.Min(remaining - skipped, discard.Length));
            if (read == 0)
                throw Truncated(length, inBuffer + skipped, tag);
            skipped += read;
            _bufferOffset += read;
        }
    }

    /// <summary>The rest of the input as a stream: what is buffered, then the underlying stream.</summary>
    public Stream DetachRemaining(Stream stream)
    {
        var buffered = _buffer.AsMemory(_start, _end - _start).ToArray();
        _start = _end;
        return new PrefixedStream(buffered, stream);
    }

    /// <summary>When the stream's length is known, a value that claims more than is left fails at once.</summary>
    public void CheckFits(long length, DicomTag? tag)
    {
        if (Length is { } total && Position + length > total)
            throw Truncated(length, total - Position, tag);
    }

    public DicomTruncatedException Truncated(long wanted, long got, DicomTag? tag) =>
        new($"the data ends early: {Describe(wanted)} expected, {Describe(Math.Max(got, 0))} present", Position, tag);

    private static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} bytes",
    };

    private void Require(int count)
    {
        if (!Ensure(count))
            throw Truncated(count, _end - _start, null);
    }

    private void Fill(int count)
    {
        if (_eof)
            return;
        if (_start > 0)
        {
            var live = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            _bufferOffset += _start;
            _start = 0;
            _end = live;
        }
        if (count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(count, _buffer.Length * 2));
        while (_end < count)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
                return;
            }
            _end += read;
        }
    }
}
