using System.Globalization;
using Tessera.Dicom;
using Tessera.Dicom.Dictionary;
using Tessera.Dicom.Media;

namespace Tessera.Archive.Dicom.Media;

/// <summary>
/// The DICOMDIR's records of an export, built as its instances are written: a PATIENT, STUDY and SERIES
/// record per folder of the file IDs, then one record per instance. Keys are copied from the instances'
/// headers as encoded (with their Specific Character Set); a Type 1 key an instance lacks is made up as
/// dcmtk's <c>dcmmkdir +I</c> would (the folder's name, 19000101, the instance's place in its series).
/// </summary>
internal sealed class DirectoryTree
{
    private readonly Dictionary<string, DicomDirectoryEntry> _folders = new(StringComparer.Ordinal);

    public List<DicomDirectoryEntry> Roots { get; } = [];

    public void Add(MediaInstance instance, DicomDataset header, string transferSyntaxUid)
    {
        var id = instance.FileId;
        var patient = Folder(id, 2, Roots, () => Record("PATIENT", header, MediaRecordKeys.Patient, tag =>
            tag == DicomTags.PatientId ? instance.PatientId ?? id[1] : null));
        var study = Folder(id, 3, patient.Lower, () => Record("STUDY", header, MediaRecordKeys.Study, tag =>
            tag == DicomTags.StudyInstanceUid ? instance.StudyInstanceUid
            : tag == DicomTags.StudyDate ? "19000101"
            : tag == DicomTags.StudyTime ? "000000"
            : tag == DicomTags.StudyId ? id[2]
            : null));
        var series = Folder(id, 4, study.Lower, () => Record("SERIES", header, MediaRecordKeys.Series, tag =>
            tag == DicomTags.SeriesInstanceUid ? instance.SeriesInstanceUid
            : tag == DicomTags.Modality ? "OT"
            : tag == DicomTags.SeriesNumber ? Ordinal(id[3])
            : null));
        var (type, keys) = MediaRecordKeys.ForSopClass(instance.SopClassUid);
        var record = Record(type, header, keys, tag =>
            tag == DicomTags.InstanceNumber ? Ordinal(id[4])
            : tag.Value is 0x00080020 or 0x00080023 or 0x00700082 ? "19000101"
            : tag.Value is 0x00080030 or 0x00080033 or 0x00700083 ? "000000"
            : null);
        record.Keys.SetString(DicomTags.ReferencedFileId, DicomVr.CS, string.Join('\\', id));
        record.Keys.SetString(DicomTags.ReferencedSopClassUidInFile, DicomVr.UI, instance.SopClassUid);
        record.Keys.SetString(DicomTags.ReferencedSopInstanceUidInFile, DicomVr.UI, instance.SopInstanceUid);
        record.Keys.SetString(DicomTags.ReferencedTransferSyntaxUidInFile, DicomVr.UI, transferSyntaxUid);
        series.Lower.Add(record);
    }

    private DicomDirectoryEntry Folder(IReadOnlyList<string> id, int depth, List<DicomDirectoryEntry> parent, Func<DicomDirectoryEntry> create)
    {
        var key = string.Join('/', id.Take(depth));
        if (!_folders.TryGetValue(key, out var entry))
        {
            _folders[key] = entry = create();
            parent.Add(entry);
        }
        return entry;
    }

    /// <summary>A record with the keys copied from the header; one the header lacks is made up when <paramref name="invent"/> knows it, else left empty (Type 2).</summary>
    private static DicomDirectoryEntry Record(string type, DicomDataset header, DicomTag[] keys, Func<DicomTag, string?> invent)
    {
        var entry = new DicomDirectoryEntry(type);
        foreach (var tag in keys)
        {
            var element = header[tag];
            var usable = element switch
            {
                DicomSequence => true,
                DicomValueElement value => value.IsLoaded && (value.Length > 0 || invent(tag) is null),
                _ => false,
            };
            if (usable)
                entry.Keys.Set(element!);
            else if (invent(tag) is { } made)
                entry.Keys.SetString(tag, made);
            else if (tag == DicomTags.SpecificCharacterSet)
                continue; // Type 1C: only where the record's text needs it
            else if (DicomDictionary.Find(tag)?.Vrs[0] is DicomVr.SQ)
                entry.Keys.Set(new DicomSequence(tag));
            else
                entry.Keys.SetString(tag, "");
        }
        return entry;
    }

    /// <summary>The number a folder's name ends with (PAT00012 gives 12).</summary>
    private static string Ordinal(string component)
    {
        var digits = component.AsSpan().TrimStart("ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        return int.Parse(digits, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
    }
}
