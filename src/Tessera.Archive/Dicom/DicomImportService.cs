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

namespace Tessera.Archive.Dicom;

/// <summary>
/// DICOM-aware import: each DICOM file (recognised by content) is sorted by PatientID into a subject,
/// StudyInstanceUID into a session, SeriesInstanceUID into a scan, and stored in resource DICOM through
/// the one ingest path, with its index rows in the same transaction. Files that are not DICOM go to a
/// resource of the import's session, or are reported; nothing is dropped silently.
/// </summary>
public sealed partial class DicomImportService(ArchiveDbContext db, HierarchyService hierarchy, IngestService ingest, TimeProvider clock)
{
    public const string DicomResource = "DICOM";
    public const string OtherResource = "OTHER";

    private static readonly DicomReadOptions WholeStructure = new() { BulkDataThreshold = 64 * 1024 };

    /// <summary>
    /// Series placed by this import (one request): the next instances of a series skip the lookups
    /// that found or created its subject, session, scan and index rows.
    /// </summary>
    private readonly Dictionary<(Guid Project, string Series), PlacedSeries> _placed = [];

    private PlacedSeries? _pending;

    /// <summary>A placed series, with the study and patient it was placed for: an instance that disagrees goes through the full checks.</summary>
    private sealed record PlacedSeries(FileOwner Target, ResolvedOwner Owner, Guid SeriesId, string StudyInstanceUid, string? PatientId);

    /// <summary>Imports the items in turn; each temporary file is moved into the archive or deleted.</summary>
    /// <param name="otherSession">Where non-DICOM files go ("SUBJECT/SESSION"); by default the single session the import's DICOM files went to.</param>
    public async Task<ImportReport> ImportAsync(ProjectAccess access, IAsyncEnumerable<ImportItem> items, string? otherSession, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(items);
        access.RequireWrite();
        var report = new ImportReport();
        var others = new List<ImportItem>();
        try
        {
            await foreach (var item in items.WithCancellation(ct))
            {
                var imported = await ImportOneAsync(access, item, null, ct);
                if (imported is null)
                    others.Add(item);
                else
                    report.Files.Add(imported);
            }
            foreach (var other in others)
                report.Files.Add(await StoreOtherAsync(access, other, otherSession ?? SingleSession(report), ct));
        }
        finally
        {
            foreach (var other in others)
                File.Delete(other.TempPath);
        }
        return report;
    }

    /// <summary>
    /// Stores one DICOM instance (STOW-RS): anything that is not DICOM, or not of <paramref name="study"/>
    /// when one is named, is rejected. The temporary file is moved into the archive or deleted.
    /// </summary>
    public async Task<ImportedFile> StoreInstanceAsync(ProjectAccess access, ImportItem item, string? study, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(item);
        access.RequireWrite();
        var imported = await ImportOneAsync(access, item, study, ct);
        if (imported is not null)
            return imported;
        File.Delete(item.TempPath);
        return new ImportedFile(item.Name, ImportOutcome.Rejected, "not a DICOM object") { Problem = ImportProblem.NotDicom };
    }

    /// <summary>Imports one file; null when it is not DICOM (the caller decides where it goes).</summary>
    private async Task<ImportedFile?> ImportOneAsync(ProjectAccess access, ImportItem item, string? study, CancellationToken ct)
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
                return null;
            File.Delete(item.TempPath);
            return new ImportedFile(item.Name, ImportOutcome.Rejected, $"unreadable DICOM: {e.Message}") { Problem = ImportProblem.Unreadable };
        }
        if (!file.HadPreamble && !file.HadMeta && !DicomReader.LooksLikeDicomFile(item.TempPath))
            return null;
        var original = item.TempPath;
        string? deidentified = null;
        try
        {
            var header = DicomHeader.From(file);
            var settings = ProjectDicomSettings.Parse(access.Project.DicomSettings);
            // A store into a named study is checked against the original UID; nothing of another study is de-identified.
            if (settings.Deidentification is { Enabled: true } deid && header.Missing() is null && (study is null || study == header.StudyInstanceUid))
            {
                study = null;
                deidentified = Deidentify(item, file, header, settings, deid);
                item = item with { TempPath = deidentified, Sha256 = null };
                file = DicomReader.ReadFile(deidentified, WholeStructure);
                header = DicomHeader.From(file);
            }
            var imported = await ImportDicomAsync(access, item, file, header, settings, study, ct);
            if (deidentified is not null)
                imported = imported with { Warnings = [.. imported.Warnings, $"de-identified ({settings.Deidentification!.Options.Describe()}) before storing"] };
            return imported with
            {
                SopClassUid = header.SopClassUid,
                StudyInstanceUid = header.StudyInstanceUid,
                SeriesInstanceUid = header.SeriesInstanceUid,
            };
        }
        catch (TesseraException e) when (e.Kind is ErrorKind.Invalid or ErrorKind.Conflict)
        {
            return new ImportedFile(item.Name, ImportOutcome.Rejected, e.Message, file.SopInstanceUid)
                { Problem = ImportProblem.Conflict, SopClassUid = file.SopClassUid };
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            // Another import stored the same SOP instance at the same moment; this one did not land. Sent again, it is a duplicate or a new version.
            db.ChangeTracker.Clear();
            return new ImportedFile(item.Name, ImportOutcome.Rejected,
                "the same SOP instance was being stored by another import at the same moment; send it again", file.SopInstanceUid)
                { Problem = ImportProblem.Conflict, SopClassUid = file.SopClassUid };
        }
        catch (DicomException e)
        {
            // De-identification walks and rewrites the whole object; what it cannot handle is refused, never stored as is.
            return new ImportedFile(item.Name, ImportOutcome.Rejected, $"cannot be de-identified: {e.Message}", file.SopInstanceUid)
                { Problem = ImportProblem.Unreadable, SopClassUid = file.SopClassUid };
        }
        finally
        {
            File.Delete(original);
            if (deidentified is not null)
                File.Delete(deidentified);
        }
    }

    /// <summary>
    /// Writes a de-identified copy of the file beside it: the patient's name and ID become the subject
    /// label the original would have been sorted under, UIDs are remapped with the project's key.
    /// </summary>
    private static string Deidentify(ImportItem item, DicomFile file, DicomHeader header, ProjectDicomSettings settings, DeidentificationSettings deid)
    {
        var subject = SubjectLabel(header, settings, []);
        var uids = new UidMapper(Convert.FromBase64String(deid.Key ?? throw new InvalidOperationException("de-identification is on without a key")));
        new Deidentifier(deid.Options, uids, subject, subject).Apply(file.Dataset);
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

    private async Task<ImportedFile> ImportDicomAsync(
        ProjectAccess access, ImportItem item, DicomFile file, DicomHeader header, ProjectDicomSettings settings, string? study, CancellationToken ct)
    {
        if (header.Missing() is { } missing)
        {
            return new ImportedFile(item.Name, ImportOutcome.Rejected, $"the file lacks {missing}, which identifies it", header.SopInstanceUid)
                { Problem = ImportProblem.MissingAttribute };
        }
        if (study is not null && header.StudyInstanceUid != study)
        {
            return new ImportedFile(item.Name, ImportOutcome.Rejected, $"the instance belongs to study {header.StudyInstanceUid}, not {study}", header.SopInstanceUid)
                { Problem = ImportProblem.WrongStudy };
        }
        var warnings = new List<string>(file.Warnings);
        var projectId = access.Project.Id;
        var sha256 = item.Sha256 ?? await HashAsync(item.TempPath, ct);

        var existing = await db.DicomInstances.Where(i => i.ProjectId == projectId && i.SopInstanceUid == header.SopInstanceUid)
            .Join(db.Files, i => i.FileId, f => f.Id, (i, f) => new { Instance = i, f.Sha256 })
            .FirstOrDefaultAsync(ct);
        var outcome = ImportOutcome.Stored;
        var path = header.SopInstanceUid + ".dcm";
        FileOwner? where = null;
        if (existing is not null)
        {
            where = await TargetOfSeriesAsync(existing.Instance.SeriesId, ct);
            if (existing.Sha256 == sha256)
                return new ImportedFile(item.Name, ImportOutcome.Duplicate, "already stored with the same bytes", header.SopInstanceUid, where.Path) { Warnings = warnings };
            if (settings.OnDifferentContent == DifferentContentPolicy.Reject)
            {
                return new ImportedFile(item.Name, ImportOutcome.Rejected,
                    "this SOP instance is already stored with other bytes, and the project refuses new versions", header.SopInstanceUid, where.Path)
                    { Problem = ImportProblem.DifferentContent };
            }
            outcome = ImportOutcome.NewVersion;
            path = $"{header.SopInstanceUid}.{sha256[..12]}.dcm";
            warnings.Add($"stored as a new version of the instance (the earlier file stays at {where.Path}/resources/{DicomResource}/files/{header.SopInstanceUid}.dcm)");
        }

        var placed = where is null && _placed.GetValueOrDefault((projectId, header.SeriesInstanceUid!)) is { } known
            && known.StudyInstanceUid == header.StudyInstanceUid && known.PatientId == header.PatientId ? known : null;
        var target = where ?? placed?.Target ?? await PlaceAsync(access, header, settings, warnings, ct);
        var request = new IngestRequest(target, DicomResource, path, sha256, "application/dicom");
        _pending = null;
        await ingest.StoreFileAsync(access, request, item.TempPath, sha256, ct,
            (stored, token) => IndexAsync(access, header, target, stored, existing?.Instance, token), placed?.Owner);
        if (_pending is { } committed)
            _placed[(projectId, header.SeriesInstanceUid!)] = committed;
        _pending = null;
        return new ImportedFile(item.Name, outcome, null, header.SopInstanceUid, target.Path) { Warnings = warnings };
    }

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }

    private static string? SingleSession(ImportReport report) => report.Sessions.Count == 1 ? report.Sessions[0] : null;

    private async Task<ImportedFile> StoreOtherAsync(ProjectAccess access, ImportItem item, string? session, CancellationToken ct)
    {
        if (session is null)
        {
            return new ImportedFile(item.Name, ImportOutcome.NotStored,
                "not DICOM, and the import has no single session to put it in (name one as SUBJECT/SESSION)");
        }
        var parts = session.Replace("subjects/", "", StringComparison.Ordinal).Replace("sessions/", "", StringComparison.Ordinal).Split('/');
        if (parts.Length != 2)
            return new ImportedFile(item.Name, ImportOutcome.NotStored, $"'{session}' is not SUBJECT/SESSION");
        var owner = new FileOwner(parts[0], parts[1]);
        var path = FilePaths.IsValid(item.Name) ? item.Name : Path.GetFileName(item.Name);
        if (!FilePaths.IsValid(path))
            path = "unnamed";
        await hierarchy.EnsureOwnerAsync(access, owner, ct);
        await ingest.StoreFileAsync(access, new IngestRequest(owner, OtherResource, path), item.TempPath, null, ct);
        return new ImportedFile(item.Name, ImportOutcome.StoredAsOther, "not DICOM", null, owner.Path);
    }
}
