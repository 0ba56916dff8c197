using Tessera.Dicom.IO;

namespace Tessera.Dicom.Media;

/// <summary>
/// A DICOMDIR read (PS3.10 8.6, PS3.3 Annex F, the Basic Directory IOD): its records, linked by their
/// byte offsets from the root directory entity down through each record's lower-level entity. Offsets
/// are followed under bounds (every offset must name a record, none may be reached twice, levels nest
/// at most <see cref="DicomDirectoryLimits.MaxLevels"/> deep); when they cannot be followed, the records
/// are taken in the order the sequence holds them and <see cref="LinkError"/> says why.
/// </summary>
public sealed class DicomDirectory
{
    /// <summary>Media Storage Directory Storage, the SOP class of a DICOMDIR (PS3.4 Annex I).</summary>
    public const string SopClassUid = "1.2.840.10008.1.3.10";

    private DicomDirectory(DicomFile file, IReadOnlyList<DicomDirectoryRecord> records, int total, string? linkError, IReadOnlyList<string> warnings)
    {
        File = file;
        Records = records;
        TotalRecords = total;
        LinkError = linkError;
        Warnings = warnings;
    }

    /// <summary>The DICOMDIR as read.</summary>
    public DicomFile File { get; }

    /// <summary>File-set ID (0004,1130), or null.</summary>
    public string? FileSetId => File.Dataset.GetString(DicomTags.FileSetId) is { Length: > 0 } id ? id : null;

    /// <summary>
    /// The records in use: those reached from the root directory entity, parents before their lower
    /// levels; or, when the links cannot be followed, every record in use in the sequence's order.
    /// </summary>
    public IReadOnlyList<DicomDirectoryRecord> Records { get; }

    /// <summary>The records the sequence holds, in use or not, reached or not.</summary>
    public int TotalRecords { get; }

    /// <summary>Why the record offsets could not be followed; null when they could.</summary>
    public string? LinkError { get; }

    /// <summary>Defects read past: the file's own (lenient reading) and the directory's (records not linked).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The records that reference a file.</summary>
    public IEnumerable<DicomDirectoryRecord> FileRecords => Records.Where(r => r.FileId.Count > 0);

    public static DicomDirectory ReadFile(string path, DicomDirectoryLimits? limits = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Read(stream, limits);
    }

    /// <summary>Reads a DICOMDIR from the start of <paramref name="stream"/>; a <see cref="DicomException"/> when it is not one or past the limits.</summary>
    public static DicomDirectory Read(Stream stream, DicomDirectoryLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        limits ??= DicomDirectoryLimits.Default;
        if (stream.CanSeek && stream.Length - stream.Position > limits.MaxBytes)
            throw new DicomException($"the DICOMDIR is {stream.Length - stream.Position:N0} bytes; at most {limits.MaxBytes:N0} are read");
        // Records are small; what is large in them (icon images) is of no use here and is not kept.
        var options = new DicomReadOptions
        {
            BulkDataThreshold = 4096,
            DropBulkData = true,
            // Records and the few items inside them (icons, codes): bounded before they are all in memory.
            MaxItems = limits.MaxRecords * 4,
            // A record has some ten attributes (icons a few more); a record of millions of empty ones is an attack on memory.
            MaxElements = limits.MaxRecords * 16,
        };
        var file = DicomReader.Read(stream.CanSeek ? stream : new LimitedReadStream(stream, limits.MaxBytes), options);
        var warnings = new List<string>(file.Warnings);
        var declared = file.Meta.GetString(DicomTags.MediaStorageSopClassUid);
        if (declared is not null && declared != SopClassUid)
            throw new DicomException($"the file is not a DICOMDIR: its SOP class is {declared}, not Media Storage Directory Storage");
        if (file.Dataset.GetSequence(DicomTags.DirectoryRecordSequence) is not { } sequence)
            throw new DicomException("the file is not a DICOMDIR: it has no Directory Record Sequence (0004,1220)");
        if (declared is null)
            warnings.Add("the DICOMDIR has no file meta information");
        var items = sequence.Items;
        if (items.Count > limits.MaxRecords)
            throw new DicomException($"the DICOMDIR holds {items.Count:N0} directory records; at most {limits.MaxRecords:N0} are read");
        if (!file.HadPreamble)
            warnings.Add("the DICOMDIR has no preamble; its record offsets were taken as counted from its first byte");

        try
        {
            var (records, unreached) = Follow(file.Dataset, items, limits);
            if (unreached > 0)
                warnings.Add($"{unreached} directory record(s) in use are not linked from the root directory entity and were left out");
            return new DicomDirectory(file, records, items.Count, null, warnings);
        }
        catch (LinkException e)
        {
            var flat = items.Where(InUse).Select(i => new DicomDirectoryRecord(i, RecordType(i), i.Offset)).ToList();
            return new DicomDirectory(file, flat, items.Count, e.Message, warnings);
        }
    }

    private static (List<DicomDirectoryRecord> Records, int Unreached) Follow(DicomDataset dataset, IReadOnlyList<DicomDataset> items, DicomDirectoryLimits limits)
    {
        var byOffset = new Dictionary<long, DicomDataset>(items.Count);
        foreach (var item in items)
            byOffset.TryAdd(item.Offset, item);
        var visited = new HashSet<long>();
        var records = new List<DicomDirectoryRecord>();
        // Entities still to walk: the offset of their first record, the record that references them, their level.
        var pending = new Stack<(long Offset, DicomDirectoryRecord? Parent, int Level, string From)>();
        var root = Offset(dataset, DicomTags.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity);
        if (root == 0 && items.Count > 0)
            throw new LinkException("the offset of the root directory entity's first record is missing or zero, though the DICOMDIR holds records");
        pending.Push((root, null, 1, "the root directory entity"));
        while (pending.TryPop(out var entity))
        {
            var (offset, from) = (entity.Offset, entity.From);
            while (offset != 0)
            {
                if (!byOffset.TryGetValue(offset, out var item))
                    throw new LinkException($"the offset {offset} given by {from} is not where any directory record starts");
                if (!visited.Add(offset))
                    throw new LinkException($"the record at offset {offset} is reached a second time, from {from} (the offsets form a cycle or share records)");
                var type = RecordType(item);
                var lower = Offset(item, DicomTags.OffsetOfReferencedLowerLevelDirectoryEntity);
                if (InUse(item))
                {
                    var record = new DicomDirectoryRecord(item, type, offset) { Parent = entity.Parent };
                    records.Add(record);
                    if (lower != 0)
                    {
                        if (entity.Level + 1 > limits.MaxLevels)
                            throw new LinkException($"directory entities nest deeper than {limits.MaxLevels} levels below the {type} record at offset {offset}");
                        pending.Push((lower, record, entity.Level + 1, $"the {type} record at offset {offset} (its lower-level entity)"));
                    }
                }
                from = $"the {type} record at offset {offset} (its next record)";
                offset = Offset(item, DicomTags.OffsetOfTheNextDirectoryRecord);
            }
        }
        return (records, items.Count(i => InUse(i) && !visited.Contains(i.Offset)));
    }

    /// <summary>Record In-use Flag (0004,1410): 0x0000 marks an inactive record; PS3.10 readers skip it.</summary>
    private static bool InUse(DicomDataset item) => item.GetInteger(DicomTags.RecordInUseFlag) != 0;

    private static string RecordType(DicomDataset item) => item.GetString(DicomTags.DirectoryRecordType) ?? "";

    private static long Offset(DicomDataset dataset, DicomTag tag) => dataset.GetInteger(tag) is { } value and >= 0 ? value : 0;

    private sealed class LinkException(string message) : Exception(message);

    /// <summary>A stream that cannot seek, cut at the DICOMDIR's limit so that a longer one is refused as truncated, not read on.</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = inner.Read(buffer, offset, (int)Math.Min(count, limit + 1 - _read));
            _read += n;
            if (_read > limit)
                throw new DicomException($"the DICOMDIR is longer than {limit:N0} bytes; at most that is read");
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
