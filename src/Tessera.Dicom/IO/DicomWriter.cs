using System.Buffers.Binary;
using System.IO.Compression;

namespace Tessera.Dicom.IO;

/// <summary>
/// Writes Part 10 files and bare datasets (PS3.10, PS3.5). Elements are written as they were read:
/// values byte for byte, sequences and items with the length form they came with, bulk data copied
/// from its source in chunks.
/// </summary>
public static class DicomWriter
{
    /// <summary>This toolkit's implementation class UID (PS3.7 D.3.3.2), under the UUID-derived root 2.25.</summary>
    public const string ImplementationClassUid = "2.25.131789305637445373957117512395843178241";

    public const string ImplementationVersionName = "TESSERA_1";

    /// <summary>Writes a file: preamble, "DICM", meta information, dataset in <paramref name="syntax"/> (default: the file's own).</summary>
    public static void WriteFile(Stream output, DicomFile file, TransferSyntax? syntax = null) =>
        WriteFile(output, file.Dataset, syntax ?? file.Syntax, file.Meta);

    public static void WriteFile(Stream output, DicomDataset dataset, TransferSyntax syntax, DicomDataset? meta = null)
    {
        CheckTranscodable(dataset, syntax);
        WriteHeader(output, CreateMeta(dataset, syntax, meta));
        WriteDataset(output, dataset, syntax);
    }

    /// <summary>
    /// Writes the preamble, "DICM" and meta information for a dataset that follows bare, in
    /// <paramref name="syntax"/> (as a C-STORE's dataset arrives): the dataset's bytes are appended as they are.
    /// </summary>
    public static void WriteFileHeader(Stream output, string sopClassUid, string sopInstanceUid, TransferSyntax syntax, string? sourceAeTitle = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var ids = new DicomDataset();
        ids.SetString(DicomTags.SopClassUid, DicomVr.UI, sopClassUid);
        ids.SetString(DicomTags.SopInstanceUid, DicomVr.UI, sopInstanceUid);
        var extra = new DicomDataset();
        if (!string.IsNullOrEmpty(sourceAeTitle))
            extra.SetString(DicomTags.SourceApplicationEntityTitle, DicomVr.AE, sourceAeTitle);
        WriteHeader(output, CreateMeta(ids, syntax, extra));
    }

    /// <summary>
    /// Writes the preamble, "DICM" and the meta information of <paramref name="dataset"/> (the given
    /// <paramref name="meta"/> kept and completed) for a dataset whose encoded bytes the caller appends as they are.
    /// </summary>
    public static void WriteFileHeader(Stream output, DicomDataset dataset, TransferSyntax syntax, DicomDataset? meta)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        WriteHeader(output, CreateMeta(dataset, syntax, meta));
    }

    /// <summary>The 128-byte preamble, "DICM" and the meta information (always explicit VR little endian).</summary>
    private static void WriteHeader(Stream output, DicomDataset fileMeta)
    {
        Span<byte> preamble = stackalloc byte[132];
        preamble.Clear();
        "DICM"u8.CopyTo(preamble[128..]);
        output.Write(preamble);
        new ElementWriter(output, explicitVr: true, bigEndian: false).WriteDataset(fileMeta);
    }

    /// <summary>Writes a bare dataset, as DIMSE and STOW bodies carry them.</summary>
    public static void WriteDataset(Stream output, DicomDataset dataset, TransferSyntax syntax)
    {
        CheckTranscodable(dataset, syntax);
        if (syntax.Deflated)
        {
            using var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true);
            using var buffered = new BufferedStream(deflate, 64 * 1024);
            new ElementWriter(buffered, syntax.ExplicitVr, syntax.BigEndian).WriteDataset(dataset);
            return;
        }
        new ElementWriter(output, syntax.ExplicitVr, syntax.BigEndian).WriteDataset(dataset);
    }

    /// <summary>
    /// The header of an element with a defined length in <paramref name="syntax"/>, for a value its caller streams
    /// right after it (a transcoder writing Pixel Data frame by frame).
    /// </summary>
    public static byte[] ElementHeader(DicomTag tag, DicomVr vr, uint length, TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        if (syntax.Deflated)
            throw new ArgumentException("a deflated dataset cannot be written element by element", nameof(syntax));
        using var output = new MemoryStream(12);
        new ElementWriter(output, syntax.ExplicitVr, syntax.BigEndian).WriteValueHeader(tag, vr, length);
        return output.ToArray();
    }

    /// <summary>
    /// The meta information for a dataset (PS3.10 7.1): the given elements kept, the SOP class and
    /// instance and the transfer syntax set from the dataset, the group length computed.
    /// </summary>
    public static DicomDataset CreateMeta(DicomDataset dataset, TransferSyntax syntax, DicomDataset? existing = null)
    {
        var meta = new DicomDataset();
        foreach (var element in existing ?? [])
        {
            if (element.Tag.Group == 0x0002 && element.Tag != DicomTags.FileMetaInformationGroupLength)
                meta.Set(element);
        }
        if (!meta.Contains(DicomTags.FileMetaInformationVersion))
            meta.Set(new DicomValueElement(DicomTags.FileMetaInformationVersion, DicomVr.OB, new byte[] { 0, 1 }));
        SetUid(meta, DicomTags.MediaStorageSopClassUid, dataset.GetString(DicomTags.SopClassUid));
        SetUid(meta, DicomTags.MediaStorageSopInstanceUid, dataset.GetString(DicomTags.SopInstanceUid));
        if (meta.GetString(DicomTags.TransferSyntaxUid) != syntax.Uid)
            SetUid(meta, DicomTags.TransferSyntaxUid, syntax.Uid);
        if (!meta.Contains(DicomTags.ImplementationClassUid))
        {
            SetUid(meta, DicomTags.ImplementationClassUid, ImplementationClassUid);
            meta.SetString(DicomTags.ImplementationVersionName, DicomVr.SH, ImplementationVersionName);
        }
        var length = ElementWriter.Measure(meta, explicitVr: true);
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)length);
        meta.Set(new DicomValueElement(DicomTags.FileMetaInformationGroupLength, DicomVr.UL, groupLength));
        return meta;
    }

    private static void SetUid(DicomDataset meta, DicomTag tag, string? uid)
    {
        if (string.IsNullOrEmpty(uid) || meta.GetString(tag) == uid)
            return;
        meta.Set(new DicomValueElement(tag, DicomVr.UI, DicomDataset.Pad(System.Text.Encoding.ASCII.GetBytes(uid), DicomVr.UI)));
    }

    private static void CheckTranscodable(DicomDataset dataset, TransferSyntax syntax)
    {
        if (!syntax.Encapsulated && dataset[DicomTags.PixelData] is DicomFragments)
            throw new DicomException($"compressed pixel data cannot be written in {syntax.Name} without decoding it", tag: DicomTags.PixelData);
        if (syntax.Encapsulated && dataset[DicomTags.PixelData] is DicomValueElement)
            throw new DicomException($"native pixel data cannot be written in {syntax.Name} without encoding it", tag: DicomTags.PixelData);
    }
}
