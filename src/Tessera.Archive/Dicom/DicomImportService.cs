using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Ingest;
using Tessera.Dicom;
using Tessera.Dicom.Deidentification;
using Tessera.Dicom.IO;
using Tessera.Dicom.Media;

namespace Tessera.Archive.Dicom;

/// <summary>
/// DICOM-aware import: each DICOM file (recognised by content) is sorted by PatientID into a subject,
/// StudyInstanceUID into a session, SeriesInstanceUID into a scan, and stored in resource DICOM through
/// the one ingest path, with its index rows in the same transaction. Files that are not DICOM go to a
/// resource of the import's session, or are reported; nothing is dropped silently.
/// </summary>
public sealed partial class DicomImportService(
    ArchiveDbContext db, HierarchyService hierarchy, IngestService ingest, PseudonymService pseudonyms, TimeProvider clock)
{
    public const string DicomResource = "DICOM";
    public const string OtherResource = "OTHER";

    /// <summary>How many instances are stored together, with one lease and one record transaction.</summary>
    public const int BatchSize = 16;

    private static readonly DicomReadOptions WholeStructure = new() { BulkDataThreshold = 64 * 1024 };

    /// <summary>
    /// Series placed by this import (one request): the next instances of a series skip the lookups
    /// that found or created its subject, session, scan and index rows.
    /// </summary>
    private readonly Dictionary<(Guid Project, string Series), PlacedSeries> _placed = [];

    /// <summary>A placed series, with the study and patient it was placed for: an instance that disagrees goes through the full checks.</summary>
    private sealed record PlacedSeries(ResolvedOwner Owner, Guid? SeriesId, string StudyInstanceUid, string? PatientId)
    {
        public bool Holds(DicomHeader header) => StudyInstanceUid == header.StudyInstanceUid && PatientId == header.PatientId;
    }

    /// <summary>A DICOM file read and checked, on its way into the archive with its batch.</summary>
    /// <remarks><see cref="Item"/> is the de-identified copy when the project de-identifies.</remarks>
    private sealed record Candidate(int Index, ImportItem Item, DicomHeader Header, List<string> Warnings);

    /// <summary>Imports the items in batches; each temporary file is moved into the archive or deleted.</summary>
    /// <param name="otherSession">Where non-DICOM files go ("SUBJECT/SESSION"); by default the single session the import's DICOM files went to.</param>
    public async Task<ImportReport> ImportAsync(ProjectAccess access, IAsyncEnumerable<ImportItem> items, string? otherSession, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(items);
        access.RequireWrite();
        var report = new ImportReport();
        var others = new List<ImportItem>();
        var batch = new List<ImportItem>(BatchSize);
        try
        {
            await foreach (var item in items.WithCancellation(ct))
            {
                batch.Add(item);
                if (batch.Count == BatchSize)
                    await ImportBatchAsync();
            }
            await ImportBatchAsync();
            var placed = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var other in others)
            {
                // A disc carries its viewer, autorun files and the like beside the DICOM files its DICOMDIR lists.
                report.Files.Add(other.Disc is { Referenced: false } disc
                    ? new ImportedFile(other.Name, ImportOutcome.Skipped, $"not DICOM, and {disc.Directory} does not reference it (a disc's viewer or autorun files): left out")
                    : await StoreOtherAsync(access, other, otherSession ?? SingleSession(report), report, placed, ct));
            }
        }
        finally
        {
            foreach (var item in batch.Concat(others))
                File.Delete(item.TempPath);
        }
        return report;

        async Task ImportBatchAsync()
        {
            var results = await StoreBatchAsync(access, batch, null, ct);
            for (var i = 0; i < batch.Count; i++)
            {
                if (results[i] is { } imported)
                    report.Files.Add(imported);
                else
                    others.Add(batch[i]);
            }
            batch.Clear();
        }
    }

    /// <summary>
    /// Stores DICOM instances (STOW-RS), answering for each in order: anything that is not DICOM, or not
    /// of <paramref name="study"/> when one is named, is rejected. Each temporary file is moved into the
    /// archive or deleted.
    /// </summary>
    public async Task<IReadOnlyList<ImportedFile>> StoreInstancesAsync(ProjectAccess access, IReadOnlyList<ImportItem> items, string? study, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(items);
        access.RequireWrite();
        var results = new List<ImportedFile>(items.Count);
        try
        {
            foreach (var chunk in items.Chunk(BatchSize))
            {
                var stored = await StoreBatchAsync(access, chunk, study, ct);
                results.AddRange(stored.Select((r, i) => r switch
                {
                    null => new ImportedFile(chunk[i].Name, ImportOutcome.Rejected, "not a DICOM object") { Problem = ImportProblem.NotDicom },
                    { Outcome: ImportOutcome.Directory } => r with { Outcome = ImportOutcome.Rejected, Reason = "a DICOMDIR is a disc's index, not an instance to store" },
                    _ => r,
                }));
            }
        }
        finally
        {
            foreach (var item in items)
                File.Delete(item.TempPath);
        }
        return results;
    }

    /// <summary>
    /// Stores a batch of files; null for each that is not DICOM (the caller decides where it goes, and
    /// deletes it). A SOP instance sent twice in one batch is stored in a second round, after the first.
    /// </summary>
    private async Task<ImportedFile?[]> StoreBatchAsync(ProjectAccess access, IReadOnlyList<ImportItem> items, string? study, CancellationToken ct)
    {
        var settings = ProjectDicomSettings.Parse(access.Project.DicomSettings);
        var results = new ImportedFile?[items.Count];
        var candidates = new List<Candidate>(items.Count);
        var dicom = new bool[items.Count];
        var copies = new List<string>();
        try
        {
            for (var i = 0; i < items.Count; i++)
            {
                var (result, candidate) = await ReadAsync(access, i, items[i], study, settings, ct);
                results[i] = result;
                dicom[i] = result is not null || candidate is not null;
                if (candidate is not null)
                    candidates.Add(candidate);
                if (candidate is not null && candidate.Item.TempPath != items[i].TempPath)
                    copies.Add(candidate.Item.TempPath);
            }
            while (candidates.Count > 0)
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var round = candidates.Where(c => seen.Add(c.Header.SopInstanceUid!)).ToList();
                await StoreRoundAsync(access, settings, round, results, ct);
                candidates = candidates.Except(round).ToList();
            }
        }
        finally
        {
            // What was moved into the archive is gone already; what is left of a DICOM file is not needed.
            for (var i = 0; i < items.Count; i++)
            {
                if (dicom[i])
                    File.Delete(items[i].TempPath);
            }
            foreach (var copy in copies)
                File.Delete(copy);
        }
        return results;
    }

    /// <summary>
    /// Reads and checks one file, de-identifying it when the project says so: a rejection, or a
    /// candidate to store, or neither when the file is not DICOM. Once de-identified, nothing of the
    /// original patient is in what is returned: the header and warnings are the de-identified object's.
    /// </summary>
    private async Task<(ImportedFile? Result, Candidate? Candidate)> ReadAsync(
        ProjectAccess access, int index, ImportItem item, string? study, ProjectDicomSettings settings, CancellationToken ct)
    {
        DicomFile file;
        try
        {
            // The whole structure is checked (a truncated file is refused), but bulk data is skipped, not loaded.
            file = DicomReader.ReadFile(item.TempPath, WholeStructure);
        }
        catch (DicomException e)
        {
            if (!DicomReader.LooksLikeDicomFile(item.TempPath))
                return (null, null);
            return (new ImportedFile(item.Name, ImportOutcome.Rejected, $"unreadable DICOM: {e.Message}") { Problem = ImportProblem.Unreadable }, null);
        }
        if (!file.HadPreamble && !file.HadMeta && !DicomReader.LooksLikeDicomFile(item.TempPath))
            return (null, null);
        var header = DicomHeader.From(file);
        if (header.SopClassUid == DicomDirectory.SopClassUid || file.Dataset.Contains(DicomTags.DirectoryRecordSequence))
        {
            return (new ImportedFile(item.Name, ImportOutcome.Directory,
                "a DICOMDIR, the index of a disc: never stored as an instance; import the disc's folder (tessera import) or a zip of it to import the files it lists through it")
                { Problem = ImportProblem.NotDicom, SopClassUid = header.SopClassUid }, null);
        }
        if (item.Declared is { } declared && (header.SopClassUid != declared.SopClassUid || header.SopInstanceUid != declared.SopInstanceUid))
        {
            return (new ImportedFile(item.Name, ImportOutcome.Rejected,
                $"the dataset is SOP instance {header.SopInstanceUid ?? "(none)"} of class {header.SopClassUid ?? "(none)"}, not the {declared.SopInstanceUid} of class {declared.SopClassUid} its request declared",
                header.SopInstanceUid) { Problem = ImportProblem.DoesNotMatchRequest, SopClassUid = header.SopClassUid }, null);
        }
        string? deidentified = null;
        var withoutPatientId = false;
        // A store into a named study is checked against the original UID; nothing of another study is de-identified.
        if (settings.Deidentification is { Enabled: true } deid && header.Missing() is null && (study is null || study == header.StudyInstanceUid))
        {
            study = null;
            string pseudonym;
            try
            {
                withoutPatientId = header.PatientId is null;
                pseudonym = await pseudonyms.PseudonymAsync(access.Project, deid, header.PatientId,
                    header.Get(DicomTags.IssuerOfPatientId), header.StudyInstanceUid!, ct);
            }
            catch (TesseraException e) when (e.Kind == ErrorKind.Conflict)
            {
                return (new ImportedFile(item.Name, ImportOutcome.Rejected, e.Message, header.SopInstanceUid)
                    { Problem = ImportProblem.Conflict, SopClassUid = header.SopClassUid }, null);
            }
            try
            {
                deidentified = Deidentify(item, file, deid, pseudonym);
                file = DicomReader.ReadFile(deidentified, WholeStructure);
            }
            catch (DicomException e)
            {
                // De-identification walks and rewrites the whole object; what it cannot handle is refused, never stored as is.
                if (deidentified is not null)
                    File.Delete(deidentified);
                return (new ImportedFile(item.Name, ImportOutcome.Rejected, $"cannot be de-identified: {e.Message}", header.SopInstanceUid)
                    { Problem = ImportProblem.Unreadable, SopClassUid = header.SopClassUid }, null);
            }
            header = DicomHeader.From(file);
        }
        ImportedFile Rejected(string reason, ImportProblem problem) =>
            new(item.Name, ImportOutcome.Rejected, reason, header.SopInstanceUid) { Problem = problem, SopClassUid = header.SopClassUid };
        if (header.Missing() is { } missing)
            return (Rejected($"the file lacks {missing}, which identifies it", ImportProblem.MissingAttribute), null);
        if (study is not null && header.StudyInstanceUid != study)
            return (Rejected($"the instance belongs to study {header.StudyInstanceUid}, not {study}", ImportProblem.WrongStudy), null);
        // The index, the viewer and DICOMweb size their work by Number of Frames: a count the pixel data cannot hold is refused here.
        if (PixelDataFrames.CheckFrameCount(file.Dataset) is { } frames)
            return (Rejected($"the pixel data is inconsistent: {frames}", ImportProblem.Unreadable), null);
        var warnings = new List<string>(file.Warnings);
        if (item.Disc is { Referenced: false } unreferenced)
            warnings.Add($"on the disc, but {unreferenced.Directory} does not reference it; imported all the same");
        else if (item.Disc is { SopInstanceUid: { } expected } disc && expected != header.SopInstanceUid && deidentified is null)
            warnings.Add($"{disc.Directory} names SOP instance {expected} for this file; the file holds {header.SopInstanceUid}");
        if (deidentified is not null)
        {
            warnings.Add($"de-identified ({settings.Deidentification!.Options.Describe()}) before storing, the patient under pseudonym {header.PatientId}");
            if (withoutPatientId)
                warnings.Add("no PatientID: the study's patient got a pseudonym of its own");
            item = item with { TempPath = deidentified, Sha256 = null };
        }
        return (null, new Candidate(index, item, header, warnings));
    }

    /// <summary>
    /// Writes a de-identified copy of the file beside it: the patient's name and ID become the patient's
    /// pseudonym (so the subject label too), UIDs are remapped with the project's key.
    /// </summary>
    private static string Deidentify(ImportItem item, DicomFile file, DeidentificationSettings deid, string pseudonym)
    {
        var uids = new UidMapper(Convert.FromBase64String(deid.Key ?? throw new InvalidOperationException("de-identification is on without a key")));
        new Deidentifier(deid.Options, uids, pseudonym, pseudonym).Apply(file.Dataset);
        var path = item.TempPath + ".deid";
        try
        {
            using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            DicomWriter.WriteFile(output, file.Dataset, file.Syntax);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
        return path;
    }

    /// <summary>
    /// Stores candidates with distinct SOP instances: each is found a place (its known series, or a
    /// subject, session and scan found or made for it), then all go through the ingest together.
    /// </summary>
    private async Task StoreRoundAsync(ProjectAccess access, ProjectDicomSettings settings, List<Candidate> round, ImportedFile?[] results, CancellationToken ct)
    {
        var projectId = access.Project.Id;
        var uids = round.Select(c => c.Header.SopInstanceUid!).ToList();
        var existing = await db.DicomInstances.AsNoTracking().Where(i => i.ProjectId == projectId && uids.Contains(i.SopInstanceUid))
            .Join(db.Files, i => i.FileId, f => f.Id, (i, f) => new { Instance = i, f.Sha256 })
            .ToDictionaryAsync(x => x.Instance.SopInstanceUid, StringComparer.Ordinal, ct);
        var placedNow = new Dictionary<string, PlacedSeries>(StringComparer.Ordinal);
        var scans = new Dictionary<FileOwner, ScanIds>();
        var seriesOwners = new Dictionary<Guid, ResolvedOwner>();
        var files = new List<IngestFile>(round.Count);
        var stored = new List<(Candidate Candidate, ImportOutcome Outcome, FileOwner Target, StrongBox<PlacedSeries?> Placed)>(round.Count);
        foreach (var candidate in round)
        {
            var (item, header, warnings) = (candidate.Item, candidate.Header, candidate.Warnings);
            ImportedFile Result(ImportOutcome outcome, string? reason, string? target) =>
                new(item.Name, outcome, reason, header.SopInstanceUid, target)
                {
                    Warnings = warnings, SopClassUid = header.SopClassUid, StudyInstanceUid = header.StudyInstanceUid, SeriesInstanceUid = header.SeriesInstanceUid,
                };
            try
            {
                var sha256 = item.Sha256 ?? await HashAsync(item.TempPath, ct);
                var outcome = ImportOutcome.Stored;
                var path = header.SopInstanceUid + ".dcm";
                ResolvedOwner? where = null;
                var previous = existing.GetValueOrDefault(header.SopInstanceUid!);
                if (previous is not null)
                {
                    // Resent series come whole: each series is looked up once per round.
                    if (!seriesOwners.TryGetValue(previous.Instance.SeriesId, out where))
                        seriesOwners[previous.Instance.SeriesId] = where = await OwnerOfSeriesAsync(previous.Instance.SeriesId, ct);
                    if (previous.Sha256 == sha256)
                    {
                        results[candidate.Index] = Result(ImportOutcome.Duplicate, "already stored with the same bytes", where.Name.Path);
                        continue;
                    }
                    if (settings.OnDifferentContent == DifferentContentPolicy.Reject)
                    {
                        results[candidate.Index] = Result(ImportOutcome.Rejected,
                            "this SOP instance is already stored with other bytes, and the project refuses new versions", where.Name.Path) with { Problem = ImportProblem.DifferentContent };
                        continue;
                    }
                    outcome = ImportOutcome.NewVersion;
                    path = $"{header.SopInstanceUid}.{sha256[..12]}.dcm";
                    warnings.Add($"stored as a new version of the instance (the earlier file stays at {where.Name.Path}/resources/{DicomResource}/files/{header.SopInstanceUid}.dcm)");
                }
                var placed = where is not null ? null
                    : _placed.GetValueOrDefault((projectId, header.SeriesInstanceUid!)) is { } known && known.Holds(header) ? known
                    : placedNow.GetValueOrDefault(header.SeriesInstanceUid!) is { } now && now.Holds(header) ? now
                    : null;
                var owner = where ?? placed?.Owner ?? await PlaceAsync(access, header, settings, warnings, ct);
                var target = owner.Name;
                if (where is null && placed is null)
                    placedNow[header.SeriesInstanceUid!] = new PlacedSeries(owner, null, header.StudyInstanceUid!, header.PatientId);
                if (owner.ScanId is { } scanId)
                    scans.TryAdd(target, new ScanIds(scanId, owner.SessionId!.Value, owner.SubjectId!.Value));
                var box = new StrongBox<PlacedSeries?>();
                var instance = previous?.Instance;
                files.Add(new IngestFile(new IngestRequest(target, DicomResource, path, sha256, "application/dicom"), item.TempPath, sha256)
                {
                    Index = (file, token) => IndexAsync(access, header, target, file, instance, scans, box, token),
                    Resolved = owner,
                });
                stored.Add((candidate, outcome, target, box));
            }
            catch (TesseraException e) when (e.Kind is ErrorKind.Invalid or ErrorKind.Conflict)
            {
                results[candidate.Index] = Result(ImportOutcome.Rejected, e.Message, null) with { Problem = ImportProblem.Conflict, Warnings = [] };
            }
        }
        var outcomes = await ingest.StoreFilesAsync(access, files, ct);
        // The round is committed: its rows are not needed in the context any more. An import (an
        // association, a STOW-RS request, a zip) may bring thousands of instances through one
        // context, and every save compares each tracked row against its snapshot.
        db.ChangeTracker.Clear();
        for (var i = 0; i < stored.Count; i++)
        {
            var (candidate, outcome, target, box) = stored[i];
            var header = candidate.Header;
            results[candidate.Index] = outcomes[i].Error switch
            {
                null => new ImportedFile(candidate.Item.Name, outcome, null, header.SopInstanceUid, target.Path) { Warnings = candidate.Warnings },
                // Another import stored the same SOP instance at the same moment; this one did not land. Sent again, it is a duplicate or a new version.
                DbUpdateException => new ImportedFile(candidate.Item.Name, ImportOutcome.Rejected,
                    "the same SOP instance was being stored by another import at the same moment; send it again", header.SopInstanceUid)
                    { Problem = ImportProblem.Conflict },
                var error => new ImportedFile(candidate.Item.Name, ImportOutcome.Rejected, error.Message, header.SopInstanceUid) { Problem = ImportProblem.Conflict },
            } with { SopClassUid = header.SopClassUid, StudyInstanceUid = header.StudyInstanceUid, SeriesInstanceUid = header.SeriesInstanceUid };
            if (outcomes[i].Error is null && box.Value is { } committed)
                _placed[(access.Project.Id, header.SeriesInstanceUid!)] = committed;
        }
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static string? SingleSession(ImportReport report) => report.Sessions.Count == 1 ? report.Sessions[0] : null;

    /// <summary>
    /// Stores a file that is not DICOM under its name in the session's OTHER resource. Two files of one
    /// import that name the same path (a zip with an entry twice, or names that become the same once made
    /// valid) would replace each other: the first is kept, the next is reported as not stored, and the
    /// first one's line says so too.
    /// </summary>
    /// <param name="placed">The paths stored so far by this import, with the index of their line in <paramref name="report"/>.</param>
    private async Task<ImportedFile> StoreOtherAsync(
        ProjectAccess access, ImportItem item, string? session, ImportReport report, Dictionary<string, int> placed, CancellationToken ct)
    {
        if (session is null)
        {
            return new ImportedFile(item.Name, ImportOutcome.NotStored,
                report.Sessions.Count == 0
                    ? "not DICOM, and this import stored no DICOM to keep it beside: import it again naming its session (SUBJECT/SESSION)"
                    : $"not DICOM, and this import's DICOM went into {report.Sessions.Count} sessions, so which one it belongs to is not clear: import it again naming its session (SUBJECT/SESSION)");
        }
        var parts = session.Replace("subjects/", "", StringComparison.Ordinal).Replace("sessions/", "", StringComparison.Ordinal).Split('/');
        if (parts.Length != 2)
            return new ImportedFile(item.Name, ImportOutcome.NotStored, $"'{session}' is not SUBJECT/SESSION");
        var owner = new FileOwner(parts[0], parts[1]);
        var path = FilePaths.IsValid(item.Name) ? item.Name : Path.GetFileName(item.Name);
        if (!FilePaths.IsValid(path))
            path = "unnamed";
        var target = $"{owner.PathPrefix}resources/{OtherResource}/files/{path}";
        if (placed.TryGetValue(target, out var firstLine))
        {
            var first = report.Files[firstLine];
            report.Files[firstLine] = first with { Warnings = [.. first.Warnings, $"the import has another file for the same path, '{item.Name}', which was not stored"] };
            return new ImportedFile(item.Name, ImportOutcome.NotStored,
                $"not stored: '{first.Name}' of the same import is already stored at {OtherResource}/{path}; rename one and import it again",
                null, owner.Path) { Problem = ImportProblem.Conflict };
        }
        await hierarchy.EnsureOwnerAsync(access, owner, ct);
        await ingest.StoreFileAsync(access, new IngestFile(new IngestRequest(owner, OtherResource, path), item.TempPath), ct);
        placed[target] = report.Files.Count;
        return new ImportedFile(item.Name, ImportOutcome.StoredAsOther, "not DICOM", null, owner.Path);
    }
}
