using System.Security.Cryptography;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// A file being received, hashed (SHA-256) as it is written, so that storing it needs no second
/// read. <see cref="Complete"/> closes it and gives the hash; <see cref="Discard"/> deletes what
/// is left of it (nothing, once the archive has moved it in).
/// </summary>
internal sealed class SpoolFile(string path) : Stream
{
    private readonly FileStream _file = new(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _closed;

    public string Path { get; } = path;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => !_closed;
    public override long Length => _file.Length;
    public override long Position { get => _file.Position; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _file.Write(buffer);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        await _file.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Closes the file; its SHA-256 in lowercase hex.</summary>
    public string Complete()
    {
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

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            _file.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
