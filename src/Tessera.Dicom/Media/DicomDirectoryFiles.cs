namespace Tessera.Dicom.Media;

/// <summary>
/// Which files beside a DICOMDIR its records reference: each record's file ID is looked up among the
/// files actually present (by <see cref="MediaFileId.MatchKey(string)"/>, so case and ISO 9660 versions
/// do not matter), never turned into a path of its own, so no record can name a file outside the
/// file-set. What is referenced but absent, refused, and present but not referenced is listed.
/// </summary>
public sealed class DicomDirectoryFiles
{
    private DicomDirectoryFiles() { }

    /// <summary>Present files (their paths as given) and the record that references each.</summary>
    public IReadOnlyDictionary<string, DicomDirectoryRecord> Referenced { get; private init; } = new Dictionary<string, DicomDirectoryRecord>();

    /// <summary>Records whose file is not among the present ones.</summary>
    public IReadOnlyList<DicomDirectoryRecord> Missing { get; private init; } = [];

    /// <summary>Records whose file ID is refused (it would leave the file-set, or is not a path at all), with the reason.</summary>
    public IReadOnlyList<(DicomDirectoryRecord Record, string Reason)> Refused { get; private init; } = [];

    /// <summary>Present files that no record references (other than DICOMDIRs), in the order given.</summary>
    public IReadOnlyList<string> Unreferenced { get; private init; } = [];

    /// <summary>Ambiguities met: two present files that differ only in case, two records for one file.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    /// <param name="present">The files in the DICOMDIR's folder and below, as paths relative to it, '/'-separated.</param>
    public static DicomDirectoryFiles Match(DicomDirectory directory, IEnumerable<string> present)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(present);
        var warnings = new List<string>();
        var byKey = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var path in present)
        {
            if (MediaFileId.IsDicomDirName(path))
                continue;
            order.Add(path);
            var key = MediaFileId.MatchKey(path);
            if (!byKey.TryGetValue(key, out var paths))
                byKey[key] = paths = [];
            paths.Add(path);
        }
        var referenced = new Dictionary<string, DicomDirectoryRecord>(StringComparer.Ordinal);
        var missing = new List<DicomDirectoryRecord>();
        var refused = new List<(DicomDirectoryRecord, string)>();
        foreach (var record in directory.FileRecords)
        {
            var components = record.FileId;
            if (MediaFileId.Check(components) is { } problem)
            {
                refused.Add((record, $"its Referenced File ID '{Shorten(record.FileIdText)}' is refused: {problem}"));
                continue;
            }
            if (!byKey.TryGetValue(MediaFileId.MatchKey(components), out var candidates))
            {
                missing.Add(record);
                continue;
            }
            // Two files that differ only in case: the one spelled as the record spells it, else the first.
            var exact = string.Join('/', components);
            var path = candidates.FirstOrDefault(c => string.Equals(c, exact, StringComparison.Ordinal)) ?? candidates[0];
            if (candidates.Count > 1)
                warnings.Add($"{candidates.Count} files match the file ID '{record.FileIdText}' ({string.Join(", ", candidates.Take(3))}); '{path}' was taken");
            if (!referenced.TryAdd(path, record))
                warnings.Add($"'{path}' is referenced by two records (at offsets {referenced[path].Offset} and {record.Offset})");
        }
        return new DicomDirectoryFiles
        {
            Referenced = referenced,
            Missing = missing,
            Refused = refused,
            Unreferenced = order.Where(p => !referenced.ContainsKey(p)).ToList(),
            Warnings = warnings,
        };
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
