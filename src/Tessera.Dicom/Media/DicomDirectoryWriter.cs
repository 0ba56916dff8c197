using System.Buffers.Binary;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Media;

/// <summary>
/// Writes a DICOMDIR (PS3.10 8.6, the Basic Directory IOD of PS3.3 F.3) in explicit VR little endian:
/// records in pre-order (each followed by its lower-level entity), all with defined lengths, so that
/// every record's offset is known from the sizes alone before a byte is written.
/// </summary>
public static class DicomDirectoryWriter
{
    public static void Write(Stream output, IReadOnlyList<DicomDirectoryEntry> roots, string fileSetId, string sopInstanceUid)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(roots);
        var (meta, dataset) = Build(roots, fileSetId, sopInstanceUid);
        DicomWriter.WriteFile(output, dataset, TransferSyntax.ExplicitVrLittleEndian, meta);
    }

    /// <summary>The meta information and dataset of the DICOMDIR, offsets filled in.</summary>
    public static (DicomDataset Meta, DicomDataset Dataset) Build(IReadOnlyList<DicomDirectoryEntry> roots, string fileSetId, string sopInstanceUid)
    {
        ArgumentNullException.ThrowIfNull(roots);
        var ordered = new List<(DicomDirectoryEntry Entry, DicomDataset Item)>();
        foreach (var root in roots)
            Flatten(root, ordered);

        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.FileSetId, DicomVr.CS, fileSetId);
        SetOffset(dataset, DicomTags.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, 0);
        SetOffset(dataset, DicomTags.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, 0);
        dataset.SetUInt16(DicomTags.FileSetConsistencyFlag, 0);
        var ids = new DicomDataset();
        ids.SetString(DicomTags.MediaStorageSopClassUid, DicomVr.UI, DicomDirectory.SopClassUid);
        ids.SetString(DicomTags.MediaStorageSopInstanceUid, DicomVr.UI, sopInstanceUid);
        var meta = DicomWriter.CreateMeta(dataset, TransferSyntax.ExplicitVrLittleEndian, ids);

        // Where the first item starts: preamble and "DICM", the meta information, the elements before the
        // sequence, the sequence's own header (explicit VR SQ: 12 bytes). Each item then takes 8 + its content.
        var position = 132 + ElementWriter.Measure(meta, explicitVr: true) + ElementWriter.Measure(dataset, explicitVr: true) + 12;
        var offsets = new Dictionary<DicomDirectoryEntry, long>();
        foreach (var (entry, item) in ordered)
        {
            offsets[entry] = position;
            position += 8 + ElementWriter.Measure(item, explicitVr: true);
            if (position > uint.MaxValue)
                throw new DicomException("the DICOMDIR would be larger than its 32-bit record offsets can address");
        }
        foreach (var (entry, item) in ordered)
            SetOffset(item, DicomTags.OffsetOfReferencedLowerLevelDirectoryEntity, entry.Lower.Count > 0 ? offsets[entry.Lower[0]] : 0);
        Link(roots, offsets, ordered);
        if (roots.Count > 0)
        {
            SetOffset(dataset, DicomTags.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, offsets[roots[0]]);
            SetOffset(dataset, DicomTags.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, offsets[roots[^1]]);
        }
        dataset.Set(new DicomSequence(DicomTags.DirectoryRecordSequence, ordered.Select(o => o.Item), undefinedLength: false));
        return (meta, dataset);
    }

    private static void Flatten(DicomDirectoryEntry entry, List<(DicomDirectoryEntry, DicomDataset)> ordered)
    {
        var item = new DicomDataset { UndefinedLength = false };
        SetOffset(item, DicomTags.OffsetOfTheNextDirectoryRecord, 0);
        item.SetUInt16(DicomTags.RecordInUseFlag, 0xFFFF);
        SetOffset(item, DicomTags.OffsetOfReferencedLowerLevelDirectoryEntity, 0);
        foreach (var element in entry.Keys)
        {
            if (element.Tag.Group != 0x0004 || element.Tag == DicomTags.DirectoryRecordType || element.Tag.Element >= 0x1500)
                item.Set(element);
        }
        ordered.Add((entry, item));
        foreach (var lower in entry.Lower)
            Flatten(lower, ordered);
    }

    /// <summary>Each record names the next of its entity (siblings), the last none.</summary>
    private static void Link(IReadOnlyList<DicomDirectoryEntry> entity, Dictionary<DicomDirectoryEntry, long> offsets, List<(DicomDirectoryEntry Entry, DicomDataset Item)> ordered)
    {
        var items = ordered.ToDictionary(o => o.Entry, o => o.Item);
        var pending = new Stack<IReadOnlyList<DicomDirectoryEntry>>();
        pending.Push(entity);
        while (pending.TryPop(out var siblings))
        {
            for (var i = 0; i < siblings.Count; i++)
            {
                SetOffset(items[siblings[i]], DicomTags.OffsetOfTheNextDirectoryRecord, i + 1 < siblings.Count ? offsets[siblings[i + 1]] : 0);
                if (siblings[i].Lower.Count > 0)
                    pending.Push(siblings[i].Lower);
            }
        }
    }

    private static void SetOffset(DicomDataset dataset, DicomTag tag, long offset)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, checked((uint)offset));
        dataset.Set(new DicomValueElement(tag, DicomVr.UL, bytes));
    }
}
