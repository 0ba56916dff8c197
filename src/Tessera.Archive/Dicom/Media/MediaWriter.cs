using System.IO.Compression;
using Tessera.Archive.Storage;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Media;

namespace Tessera.Archive.Dicom.Media;

/// <summary>
/// Writes a file-set as a zip, entry by entry into a stream that need not seek: each instance as a
/// Part 10 file under its file ID (stored bytes as they are; a stored object without preamble or meta
/// information gets them in front of its dataset), then the DICOMDIR at the root, built from the
/// headers read on the way. Memory holds one header and the directory's records, never a file.
/// </summary>
public sealed class MediaWriter(IBlobStore blobs, string fileSetId)
{
    private static readonly DicomReadOptions HeaderOnly = new() { StopBefore = DicomTags.PixelData, BulkDataThreshold = 4096, DropBulkData = true };

    public async Task WriteAsync(IReadOnlyList<MediaInstance> instances, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(instances);
        ArgumentNullException.ThrowIfNull(output);
        var tree = new DirectoryTree();
        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
        {
            foreach (var instance in instances)
            {
                DicomFile header;
                await using (var stream = await blobs.OpenReadAsync(instance.FileKey, ct))
                    header = ReadHeader(stream, instance);
                var asStored = header.HadPreamble && header.HadMeta;
                var entry = zip.CreateEntry(instance.EntryName, CompressionLevel.NoCompression);
                await using (var target = await entry.OpenAsync(ct))
                await using (var source = await blobs.OpenReadAsync(instance.FileKey, ct))
                {
                    if (!asStored)
                        await WriteMissingHeaderAsync(target, source, header, ct);
                    await source.CopyToAsync(target, 1 << 20, ct);
                }
                var syntax = asStored ? header.Meta.GetString(DicomTags.TransferSyntaxUid) ?? header.Syntax.Uid : header.Syntax.Uid;
                tree.Add(instance, header.Dataset, syntax);
            }
            var dicomdir = zip.CreateEntry("DICOMDIR", CompressionLevel.Optimal);
            using var buffer = new MemoryStream();
            DicomDirectoryWriter.Write(buffer, tree.Roots, fileSetId, NewUid());
            await using var directory = await dicomdir.OpenAsync(ct);
            await directory.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        }
    }

    private static DicomFile ReadHeader(Stream stream, MediaInstance instance)
    {
        try
        {
            return DicomReader.Read(stream, HeaderOnly);
        }
        catch (DicomException e)
        {
            throw TesseraException.Conflict($"The stored instance {instance.SopInstanceUid} cannot be read: {e.Message}");
        }
    }

    /// <summary>Preamble, "DICM" and meta information for a stored object that lacks them; the source is moved to its dataset.</summary>
    private static async Task WriteMissingHeaderAsync(Stream target, Stream source, DicomFile header, CancellationToken ct)
    {
        using var prefix = new MemoryStream();
        DicomWriter.WriteFileHeader(prefix, header.Dataset, header.Syntax, header.Meta);
        await target.WriteAsync(prefix.GetBuffer().AsMemory(0, (int)prefix.Length), ct);
        await SkipAsync(source, header.DatasetOffset, ct);
    }

    private static async Task SkipAsync(Stream source, long count, CancellationToken ct)
    {
        if (source.CanSeek)
        {
            source.Seek(count, SeekOrigin.Current);
            return;
        }
        var buffer = new byte[Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (n == 0)
                throw new EndOfStreamException("the stored instance ends before its dataset");
            count -= n;
        }
    }

    private static string NewUid() => "2.25." + new System.Numerics.BigInteger(Guid.NewGuid().ToByteArray(), isUnsigned: true);
}
