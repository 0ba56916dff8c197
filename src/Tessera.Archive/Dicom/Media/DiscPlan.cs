using Tessera.Dicom;
using Tessera.Dicom.Media;

namespace Tessera.Archive.Dicom.Media;

/// <summary>
/// How an import's files relate to the DICOMDIRs among them (discs, or their folders zipped): each
/// DICOMDIR is read, its records' file IDs are matched against the files in its folder (see
/// <see cref="DicomDirectoryFiles"/>; nothing is looked up by a path a record makes), and the plan says
/// for each file whether it is a DICOMDIR to leave out, a referenced file, or an unreferenced one, plus
/// the report's lines for files referenced but absent and file IDs refused. A DICOMDIR that cannot be
/// read leaves its folder to be imported as any other (by content), and says why.
/// </summary>
public sealed class DiscPlan
{
    private readonly Dictionary<string, DiscFile> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private readonly List<DiscSummary> _discs = [];
    private readonly List<ImportedFile> _lines = [];

    /// <summary>DICOMDIRs read in one import (a disc has one; a zip of a few discs a few); beyond, folders are imported by content.</summary>
    public const int MaxDirectories = 16;

    private DiscPlan() { }

    /// <summary>The plan of an import without DICOMDIRs.</summary>
    public static readonly DiscPlan None = new();

    /// <summary>One summary per DICOMDIR read or tried.</summary>
    public IReadOnlyList<DiscSummary> Discs => _discs;

    /// <summary>Report lines of their own: each DICOMDIR read, each file referenced but absent, each file ID refused.</summary>
    public IReadOnlyList<ImportedFile> Lines => _lines;

    /// <summary>Whether any file of the import is named like a DICOMDIR.</summary>
    public static bool HasDirectory(IEnumerable<string> paths) => paths.Any(MediaFileId.IsDicomDirName);

    /// <param name="paths">Every file of the import, '/'-separated relative paths.</param>
    /// <param name="read">Reads the DICOMDIR at a path; a <see cref="DicomException"/> when it is none or cannot be read.</param>
    public static DiscPlan Create(IReadOnlyList<string> paths, Func<string, DicomDirectory> read)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(read);
        var plan = new DiscPlan();
        var directories = paths.Where(MediaFileId.IsDicomDirName).Distinct(StringComparer.Ordinal).ToList();
        if (directories.Count == 0)
            return plan;
        // A file belongs to the DICOMDIR of the deepest folder that holds it (a disc copied inside another's folder):
        // found by walking up the file's folders, so the cost is the files' depth, not files × DICOMDIRs.
        var discByFolder = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in directories)
            discByFolder.TryAdd(Folder(path), path);
        var byDisc = paths.Where(p => !MediaFileId.IsDicomDirName(p))
            .Select(p => (Path: p, Disc: DiscOf(p, discByFolder)))
            .Where(x => x.Disc is not null)
            .ToLookup(x => x.Disc!, x => x.Path, StringComparer.Ordinal);
        foreach (var path in directories)
        {
            if (plan._directories.Count >= MaxDirectories)
            {
                plan._discs.Add(new DiscSummary(path, null, 0, 0, 0, 0, 0, 0,
                    $"the import holds more than {MaxDirectories} DICOMDIRs; this one was not read, and the files in its folder were imported by their content"));
                continue;
            }
            // One DICOMDIR in memory at a time: read, matched, summarised, let go.
            DicomDirectory directory;
            try
            {
                directory = read(path);
            }
            catch (DicomException e)
            {
                plan._discs.Add(new DiscSummary(path, null, 0, 0, 0, 0, 0, 0,
                    $"the DICOMDIR cannot be read ({e.Message}); the files in its folder were imported by their content"));
                continue;
            }
            var folder = Folder(path);
            plan._directories.Add(path);
            var own = byDisc[path].ToList();
            var files = DicomDirectoryFiles.Match(directory, own.Select(p => p[folder.Length..]));
            foreach (var (relative, record) in files.Referenced)
                plan._files[folder + relative] = new DiscFile(path, true, record.ReferencedSopInstanceUid);
            foreach (var relative in files.Unreferenced)
                plan._files[folder + relative] = new DiscFile(path, false);
            foreach (var record in files.Missing)
            {
                plan._lines.Add(new ImportedFile(folder + string.Join('/', record.FileId), ImportOutcome.Missing,
                    $"referenced by {path} ({record.Type} record{Of(record)}) but not in the import", record.ReferencedSopInstanceUid));
            }
            foreach (var (record, reason) in files.Refused)
                plan._lines.Add(new ImportedFile(record.FileIdText, ImportOutcome.Rejected, $"{path}: the {record.Type} record at offset {record.Offset}: {reason}"));
            var referenced = directory.FileRecords.Count();
            var error = directory.LinkError is { } link
                ? $"the record offsets cannot be followed: {link}; its {directory.Records.Count} records in use were taken in the order it stores them"
                : null;
            plan._discs.Add(new DiscSummary(path, directory.FileSetId, directory.Records.Count, referenced, files.Referenced.Count,
                files.Missing.Count, files.Refused.Count, files.Unreferenced.Count, error) { Warnings = [.. directory.Warnings, .. files.Warnings] });
            plan._lines.Add(new ImportedFile(path, ImportOutcome.Directory,
                $"the disc's DICOMDIR: {files.Referenced.Count} of the {referenced} files it references found, {files.Missing.Count} missing; not stored as an instance"));
        }
        return plan;
    }

    /// <summary>Whether the file is a DICOMDIR that was read (and so is not imported itself).</summary>
    public bool IsDirectory(string path) => _directories.Contains(path);

    /// <summary>The file's place on a disc, or null when it lies in no DICOMDIR's folder.</summary>
    public DiscFile? For(string path) => _files.GetValueOrDefault(path);

    private static string Folder(string path) => path[..(path.LastIndexOf('/') + 1)];

    /// <summary>The DICOMDIR of the deepest folder above the file that has one, or null.</summary>
    private static string? DiscOf(string path, Dictionary<string, string> discByFolder)
    {
        for (var folder = Folder(path); ; folder = Folder(folder.TrimEnd('/')))
        {
            if (discByFolder.TryGetValue(folder, out var disc))
                return disc;
            if (folder.Length == 0)
                return null;
        }
    }

    private static string Of(DicomDirectoryRecord record) =>
        record.ReferencedSopInstanceUid is { } uid ? $", SOP instance {uid}" : "";
}
