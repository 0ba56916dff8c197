using Tessera.Archive.Storage;
using Tessera.Dicom;

namespace Tessera.Archive.Dicom;

/// <summary>
/// A stored blob as the source of values a DICOM reader leaves in place: its local file (<see cref="BlobFiles"/>),
/// which the toolkit's synchronous reads (a frame decoded) open. DICOMweb copies values from the stream it already
/// holds (<see cref="CopyAsync"/>).
/// </summary>
public sealed class BlobBulkDataSource(string path) : IBulkDataSource
{
    public Stream Open() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);

    /// <summary>Copies a frame segment to <paramref name="output"/>, little endian, in chunks.</summary>
    public static async Task CopyAsync(Stream source, FrameSegment segment, Stream output, CancellationToken ct)
    {
        if (segment.Bulk is not { } bulk)
        {
            await output.WriteAsync(segment.Bytes, ct);
            return;
        }
        source.Seek(bulk.Offset, SeekOrigin.Begin);
        var buffer = new byte[(int)Math.Min(bulk.Length, 1 << 20)];
        var remaining = bulk.Length;
        while (remaining > 0)
        {
            var n = (int)Math.Min(remaining, buffer.Length);
            await source.ReadExactlyAsync(buffer.AsMemory(0, n), ct);
            if (bulk.BigEndian)
                BulkDataReference.Swap(buffer.AsSpan(0, n), bulk.WordSize);
            await output.WriteAsync(buffer.AsMemory(0, n), ct);
            remaining -= n;
        }
    }
}
