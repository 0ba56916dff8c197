using System.Text.Json.Serialization;

namespace Tessera.Archive.Dicom;

[JsonConverter(typeof(JsonStringEnumConverter<ImportOutcome>))]
public enum ImportOutcome
{
    /// <summary>A DICOM instance stored and indexed.</summary>
    Stored,
    /// <summary>The same SOP instance with the same bytes was already stored: nothing to do.</summary>
    Duplicate,
    /// <summary>The SOP instance was stored before with other bytes; these became its current version.</summary>
    NewVersion,
    /// <summary>Not stored, with the reason.</summary>
    Rejected,
    /// <summary>Not DICOM; stored in a resource of the import's session.</summary>
    StoredAsOther,
    /// <summary>Not DICOM and nowhere to put it; reported, not stored.</summary>
    NotStored,
    /// <summary>A DICOMDIR: read as a disc's index (or, alone, only reported), never stored as an instance.</summary>
    Directory,
    /// <summary>Referenced by a DICOMDIR but not in the import.</summary>
    Missing,
    /// <summary>On a disc, not DICOM and referenced by no DICOMDIR (a disc viewer, autorun files): left out.</summary>
    Skipped,
}

/// <summary>Why a file was rejected, for callers that map it to protocol codes (STOW-RS failure reasons).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ImportProblem>))]
public enum ImportProblem
{
    None,
    /// <summary>Not a DICOM object.</summary>
    NotDicom,
    /// <summary>DICOM, but truncated or malformed.</summary>
    Unreadable,
    /// <summary>An identifying attribute (SOP Instance, SOP Class, Study or Series UID) is missing.</summary>
    MissingAttribute,
    /// <summary>The instance belongs to another study than the one the request named.</summary>
    WrongStudy,
    /// <summary>The instance is stored with other bytes, and the project refuses new versions.</summary>
    DifferentContent,
    /// <summary>The dataset's SOP class or instance is not the one its request declared.</summary>
    DoesNotMatchRequest,
    /// <summary>It contradicts what is stored, e.g. a known study under another patient.</summary>
    Conflict,
}

/// <summary>What happened to one file of an import. <see cref="Target"/> is the path of the scan (or session) it went to.</summary>
public sealed record ImportedFile(string Name, ImportOutcome Outcome, string? Reason = null, string? SopInstanceUid = null, string? Target = null)
{
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public ImportProblem Problem { get; init; }

    /// <summary>The instance's SOP Class, study and series, when the file was DICOM and said.</summary>
    public string? SopClassUid { get; init; }
    public string? StudyInstanceUid { get; init; }
    public string? SeriesInstanceUid { get; init; }
}

/// <summary>The report of an import: one line per file and the counts by outcome.</summary>
public sealed class ImportReport
{
    public List<ImportedFile> Files { get; } = [];

    public int Stored => Count(ImportOutcome.Stored);
    public int Duplicates => Count(ImportOutcome.Duplicate);
    public int NewVersions => Count(ImportOutcome.NewVersion);
    public int Rejected => Count(ImportOutcome.Rejected);
    public int StoredAsOther => Count(ImportOutcome.StoredAsOther);
    public int NotStored => Count(ImportOutcome.NotStored);
    public int Missing => Count(ImportOutcome.Missing);
    public int Skipped => Count(ImportOutcome.Skipped);

    /// <summary>The DICOMDIRs the import was read through, one summary each.</summary>
    public List<Media.DiscSummary> Discs { get; } = [];

    /// <summary>The sessions that DICOM files of this import went to.</summary>
    public IReadOnlyList<string> Sessions => Files
        .Where(f => f.Outcome is ImportOutcome.Stored or ImportOutcome.Duplicate or ImportOutcome.NewVersion && f.Target is not null)
        .Select(f => SessionOf(f.Target!)).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>The session part of a target path ("subjects/S/sessions/E/scans/3" gives "subjects/S/sessions/E").</summary>
    public static string SessionOf(string target)
    {
        var scans = target.IndexOf("/scans/", StringComparison.Ordinal);
        return scans < 0 ? target : target[..scans];
    }

    private int Count(ImportOutcome outcome) => Files.Count(f => f.Outcome == outcome);
}

/// <summary>
/// One file handed to an import: its name as the client gave it (a relative path), where it was
/// spooled, and its SHA-256 when the spooler computed it on the way.
/// </summary>
public sealed record ImportItem(string Name, string TempPath, string? Sha256 = null)
{
    /// <summary>The SOP class and instance the request carrying the file declared (C-STORE): a dataset saying otherwise is refused.</summary>
    public (string SopClassUid, string SopInstanceUid)? Declared { get; init; }

    /// <summary>Where the file lies on a disc read through its DICOMDIR; null for files outside any.</summary>
    public Media.DiscFile? Disc { get; init; }
}
