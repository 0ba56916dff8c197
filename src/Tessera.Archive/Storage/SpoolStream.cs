using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Archive.Storage;

/// <summary>
/// A new local file that content is pushed into as it arrives (a DICOM association's dataset,
/// fragment by fragment) or that pulls it from a source (<see cref="WriteAsync(Func{Memory{byte}, Task{int}}, string, CancellationToken)"/>:
/// a STOW-RS part), hashed on the way (SHA-256; the archive addresses content by it), ahead of its
/// ingest. Where the file system allows, it writes directly to the disk from aligned buffers, past
/// the page cache: no copy of the bytes, no cache pages to fill and write back, and the ingest's
/// fsync finds the data already on the disk. A full buffer is hashed and written on a pool thread
/// while the next one fills, so bytes are taken off the network at the pace of the slower stage,
/// not of both. <see cref="CompleteAsync"/> closes it and gives the hash; <see cref="Discard"/>
/// deletes what is left of it (nothing, once the archive has moved it in).
/// </summary>
public sealed class SpoolStream : Stream
{
    private readonly SafeFileHandle _file;
    private readonly bool _direct;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private AlignedBuffer _filling = AlignedBuffer.Rent();
    private AlignedBuffer _spare = AlignedBuffer.Rent();
    private int _filled;
    private long _stored;
    private Task _storing = Task.CompletedTask;
    private bool _closed;

    public SpoolStream(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        var direct = NativeFileSystem.CreateDirect(path);
        _direct = direct is not null;
        _file = direct ?? File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    public string Path { get; }

    /// <summary>Copies what <paramref name="read"/> yields into a new file at <paramref name="path"/>; returns the lower-case hex SHA-256.</summary>
    /// <param name="read">Fills (part of) the buffer from the source; 0 at its end. Its exceptions pass through unchanged.</param>
    /// <param name="path">The file to create; an existing file is never written over (IOException).</param>
    /// <param name="ct">Stops between buffers.</param>
    public static async Task<string> WriteAsync(Func<Memory<byte>, Task<int>> read, string path, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var spool = new SpoolStream(path);
        int count;
        // Reads go straight into the filling buffer: no copy on the way.
        while ((count = await read(spool._filling.Memory[spool._filled..])) > 0)
        {
            spool._filled += count;
            if (spool._filled == AlignedBuffer.Size)
            {
                await spool._storing;
                ct.ThrowIfCancellationRequested();
                spool.StoreFilling(background: true);
            }
        }
        return await spool.CompleteAsync();
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_closed;
    public override long Length => _stored + _filled;
    public override long Position { get => Length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer);
            buffer = buffer[taken..];
            if (_filled == AlignedBuffer.Size)
            {
                _storing.GetAwaiter().GetResult();
                StoreFilling(background: false);
            }
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var taken = Fill(buffer.Span);
            buffer = buffer[taken..];
            if (_filled == AlignedBuffer.Size)
            {
                await _storing;
                cancellationToken.ThrowIfCancellationRequested();
                StoreFilling(background: true);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Writes what is left, closes the file; its SHA-256 in lowercase hex.</summary>
    public async Task<string> CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await _storing;
        var size = Length;
        if (_filled > 0)
            StoreFilling(background: false);
        if (_direct)
            RandomAccess.SetLength(_file, size);
        else
            NativeFileSystem.StartWriteback(_file, 0, size);
        var sha256 = Convert.ToHexStringLower(_hash.GetHashAndReset());
        Close();
        return sha256;
    }

    /// <summary>Closes the file and deletes it if it is still there.</summary>
    public void Discard()
    {
        Close();
        File.Delete(Path);
    }

    public override void Flush() { }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            // A buffer goes back to the pool only once no write uses it (a failed write was reported to the writer).
            if (!_storing.IsCompleted)
                ((IAsyncResult)_storing).AsyncWaitHandle.WaitOne();
            _file.Dispose();
            _hash.Dispose();
            ((IDisposable)_filling).Dispose();
            ((IDisposable)_spare).Dispose();
        }
        base.Dispose(disposing);
    }

    private int Fill(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var taken = Math.Min(data.Length, AlignedBuffer.Size - _filled);
        data[..taken].CopyTo(_filling.Memory.Span[_filled..]);
        _filled += taken;
        return taken;
    }

    /// <summary>Hashes and writes the filling buffer at the end of the file, then fills the other one.</summary>
    private void StoreFilling(bool background)
    {
        var (buffer, filled, offset) = (_filling, _filled, _stored);
        (_filling, _spare) = (_spare, _filling);
        _filled = 0;
        _stored += filled;
        void Store()
        {
            _hash.AppendData(buffer.Memory.Span[..filled]);
            // A direct write covers whole blocks: the last one is padded with zeros, and the file cut to size at the end.
            var length = _direct ? (filled + AlignedBuffer.Alignment - 1) / AlignedBuffer.Alignment * AlignedBuffer.Alignment : filled;
            buffer.Memory.Span[filled..length].Clear();
            RandomAccess.Write(_file, buffer.Memory.Span[..length], offset);
        }
        if (background)
            _storing = Task.Run(Store);
        else
            Store();
    }
}
