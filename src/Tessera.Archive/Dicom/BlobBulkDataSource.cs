using Tessera.Archive.Storage;
using Tessera.Dicom;

namespace Tessera.Archive.Dicom;

/// <summary>
/// A stored blob as the source of values a DICOM reader leaves in place. DICOMweb copies those values
/// from the stream it already holds (<see cref="CopyAsync"/>); <see cref="Open"/> serves the toolkit's own reads.
/// </summary>
public sealed class BlobBulkDataSource(IBlobStore blobs, string key) : IBulkDataSource
{
    // The file system store opens synchronously; other stores hand back a stream as soon as the request is made.
    public Stream Open() => blobs.OpenReadAsync(key, CancellationToken.None).GetAwaiter().GetResult();

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
