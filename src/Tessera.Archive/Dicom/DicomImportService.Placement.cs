using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Dicom;

namespace Tessera.Archive.Dicom;

public sealed partial class DicomImportService
{
    /// <summary>
    /// Finds or creates the subject, session and scan of a new instance, with their IDs. A known study
    /// keeps its session; one study under two PatientIDs is refused rather than merged.
    /// </summary>
    private async Task<ResolvedOwner> PlaceAsync(ProjectAccess access, DicomHeader header, ProjectDicomSettings settings, List<string> warnings, CancellationToken ct)
    {
        var projectId = access.Project.Id;
        var study = await db.DicomStudies.AsNoTracking()
            .FirstOrDefaultAsync(s => s.ProjectId == projectId && s.StudyInstanceUid == header.StudyInstanceUid, ct);
        string subject, session;
        if (study is not null)
        {
            if (!string.Equals(study.PatientId ?? "", header.PatientId ?? "", StringComparison.Ordinal))
            {
                throw TesseraException.Conflict(
                    $"study {header.StudyInstanceUid} belongs to patient ID '{study.PatientId}' in this project, but this file says '{header.PatientId}'; not merged");
            }
            (subject, session) = await LabelsOfSessionAsync(study.SessionId, ct);
        }
        else
        {
            subject = SubjectLabel(header, settings, warnings);
            session = await NewSessionAsync(access, header, settings, subject, ct);
        }

        var series = await db.DicomSeries.AsNoTracking()
            .FirstOrDefaultAsync(s => s.ProjectId == projectId && s.SeriesInstanceUid == header.SeriesInstanceUid, ct);
        if (series is not null)
        {
            var known = await OwnerOfSeriesAsync(series.Id, ct);
            if (known.Name.Subject != subject || known.Name.Session != session)
                throw TesseraException.Conflict($"series {header.SeriesInstanceUid} is already in {known.Name.Path}, another study's session; not merged");
            return known;
        }
        return await NewScanAsync(access, header, subject, session, ct);
    }

    private static string SubjectLabel(DicomHeader header, ProjectDicomSettings settings, List<string> warnings)
    {
        if (header.PatientId is null)
        {
            var label = LabelTemplate.Render(settings.SubjectWithoutPatientId, header.Dataset);
            warnings.Add($"no PatientID: stored under subject {label}");
            return label;
        }
        var subject = LabelTemplate.Sanitise(header.PatientId);
        if (subject != header.PatientId)
        {
            var held = string.Concat(header.PatientId.Where(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')).Distinct()
                .Select(c => char.IsControl(c) || c == ' ' ? $"U+{(int)c:X4}" : c.ToString()));
            warnings.Add(held.Length > 0
                ? $"PatientID '{header.PatientId}' has characters a subject label cannot hold ('{held}'): stored under subject {subject}"
                : $"PatientID '{header.PatientId}' is too long for a subject label (64 characters): stored under subject {subject}");
        }
        return subject;
    }

    /// <summary>The session label for a new study: the template's, suffixed if a session of that label already holds another study.</summary>
    private async Task<string> NewSessionAsync(ProjectAccess access, DicomHeader header, ProjectDicomSettings settings, string subject, CancellationToken ct)
    {
        var projectId = access.Project.Id;
        var label = LabelTemplate.Render(settings.EffectiveSessionLabel, header.Dataset);
        var subjectId = await db.Subjects.Where(s => s.ProjectId == projectId && s.Label == subject).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? label : Suffixed(label, n);
            var existing = subjectId is null ? null
                : await db.Sessions.Where(s => s.SubjectId == subjectId && s.Label == candidate).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
            if (existing is null)
            {
                var write = new EntityWrite
                {
                    Type = header.Get(DicomTags.Modality, 64),
                    Date = header.GetDate(DicomTags.StudyDate),
                    Description = header.Get(DicomTags.StudyDescription),
                };
                await hierarchy.EnsureOwnerAsync(access, new FileOwner(subject), ct);
                await hierarchy.PutSessionAsync(access, subject, candidate, write, ct);
                return candidate;
            }
            // A session of that label that holds no study yet (made by hand, or by a concurrent import of this study) is joined.
            if (!await db.DicomStudies.AnyAsync(s => s.SessionId == existing && s.StudyInstanceUid != header.StudyInstanceUid, ct))
                return candidate;
        }
    }

    /// <summary>The scan for a new series, labelled by its SeriesNumber (else "series"), suffixed if the label is taken by another series.</summary>
    private async Task<ResolvedOwner> NewScanAsync(ProjectAccess access, DicomHeader header, string subject, string session, CancellationToken ct)
    {
        var label = header.GetInt(DicomTags.SeriesNumber) is { } number ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : "series";
        var parent = await db.Sessions.Where(s => s.ProjectId == access.Project.Id && s.Label == session)
            .Join(db.Subjects.Where(s => s.Label == subject), s => s.SubjectId, s => s.Id, (s, _) => new { s.Id, s.SubjectId }).FirstAsync(ct);
        var sessionId = parent.Id;
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? label : Suffixed(label, n);
            var existing = await db.Scans.Where(s => s.SessionId == sessionId && s.Label == candidate).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct);
            if (existing is null)
            {
                var write = new EntityWrite
                {
                    Type = header.Get(DicomTags.Modality, 64),
                    Description = header.Get(DicomTags.SeriesDescription),
                };
                var (scan, _) = await hierarchy.PutScanAsync(access, subject, session, candidate, write, ct);
                return new ResolvedOwner(new FileOwner(subject, session, candidate), scan.Id, parent.SubjectId, sessionId, scan.Id);
            }
            if (!await db.DicomSeries.AnyAsync(s => s.ScanId == existing && s.SeriesInstanceUid != header.SeriesInstanceUid, ct))
                return new ResolvedOwner(new FileOwner(subject, session, candidate), existing.Value, parent.SubjectId, sessionId, existing.Value);
        }
    }

    private static string Suffixed(string label, int n)
    {
        var suffix = "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return (label.Length + suffix.Length > 64 ? label[..(64 - suffix.Length)] : label) + suffix;
    }

    private async Task<(string Subject, string Session)> LabelsOfSessionAsync(Guid sessionId, CancellationToken ct)
    {
        var labels = await db.Sessions.Where(s => s.Id == sessionId)
            .Join(db.Subjects, s => s.SubjectId, s => s.Id, (session, subject) => new { Subject = subject.Label, Session = session.Label })
            .FirstAsync(ct);
        return (labels.Subject, labels.Session);
    }

    /// <summary>The scan a series is in, with its session and subject.</summary>
    private async Task<ResolvedOwner> OwnerOfSeriesAsync(Guid seriesId, CancellationToken ct)
    {
        var found = await db.DicomSeries.Where(s => s.Id == seriesId)
            .Join(db.Scans, s => s.ScanId, s => s.Id, (_, scan) => scan)
            .Join(db.Sessions, scan => scan.SessionId, s => s.Id, (scan, session) => new { ScanId = scan.Id, Scan = scan.Label, SessionId = session.Id, session.SubjectId, Session = session.Label })
            .Join(db.Subjects, x => x.SubjectId, s => s.Id, (x, subject) => new { Subject = subject.Label, x.SubjectId, x.Session, x.SessionId, x.Scan, x.ScanId })
            .FirstAsync(ct);
        return new ResolvedOwner(new FileOwner(found.Subject, found.Session, found.Scan), found.ScanId, found.SubjectId, found.SessionId, found.ScanId);
    }

    /// <summary>The scan a target names, with its session and subject: looked up once per batch.</summary>
    private sealed record ScanIds(Guid ScanId, Guid SessionId, Guid SubjectId);

    /// <summary>
    /// Adds the index rows of a stored instance to the ingest's transaction: the study and series when
    /// new, and the instance (or, for a new version, points the instance at the new file). Rows added
    /// earlier in the same batch are found among the tracked entities. <paramref name="placed"/> gets
    /// the series for the next instances, to be remembered once the batch is committed.
    /// </summary>
    private async Task IndexAsync(
        ProjectAccess access, DicomHeader header, FileOwner target, StoredFile stored, DicomInstance? previous,
        Dictionary<FileOwner, ScanIds> scans, StrongBox<PlacedSeries?> placed, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (previous is not null)
        {
            var instance = await db.DicomInstances.FirstAsync(i => i.Id == previous.Id, ct);
            instance.FileId = stored.Id;
            instance.TransferSyntaxUid = header.TransferSyntaxUid;
            instance.SopClassUid = header.SopClassUid!;
            return;
        }
        var projectId = access.Project.Id;
        if (_placed.TryGetValue((projectId, header.SeriesInstanceUid!), out var known) && known.Holds(header) && known.SeriesId is { } knownSeries)
        {
            db.DicomInstances.Add(NewInstance(projectId, knownSeries, stored, header, now));
            return;
        }
        if (!scans.TryGetValue(target, out var scan))
        {
            scan = await db.Scans.Where(s => s.ProjectId == projectId && s.Label == target.Scan)
                .Join(db.Sessions.Where(s => s.Label == target.Session), s => s.SessionId, s => s.Id, (scan, session) => new { ScanId = scan.Id, SessionId = session.Id, session.SubjectId })
                .Join(db.Subjects.Where(s => s.Label == target.Subject), x => x.SubjectId, s => s.Id, (x, _) => new ScanIds(x.ScanId, x.SessionId, x.SubjectId))
                .FirstAsync(ct);
            scans[target] = scan;
        }
        var study = db.DicomStudies.Local.FirstOrDefault(s => s.ProjectId == projectId && s.StudyInstanceUid == header.StudyInstanceUid)
            ?? await db.DicomStudies.FirstOrDefaultAsync(s => s.ProjectId == projectId && s.StudyInstanceUid == header.StudyInstanceUid, ct);
        if (study is null)
        {
            study = new DicomStudy
            {
                Id = Guid.CreateVersion7(),
                ProjectId = projectId,
                SessionId = scan.SessionId,
                StudyInstanceUid = header.StudyInstanceUid!,
                PatientId = header.PatientId,
                PatientName = header.Get(DicomTags.PatientName),
                PatientBirthDate = header.Get(DicomTags.PatientBirthDate, 16),
                PatientSex = header.Get(DicomTags.PatientSex, 16),
                StudyDate = header.Get(DicomTags.StudyDate, 16),
                StudyTime = header.Get(DicomTags.StudyTime, 32),
                AccessionNumber = header.Get(DicomTags.AccessionNumber, 64),
                StudyId = header.Get(DicomTags.StudyId, 64),
                StudyDescription = header.Get(DicomTags.StudyDescription),
                ReferringPhysicianName = header.Get(DicomTags.ReferringPhysicianName),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.DicomStudies.Add(study);
        }
        study.UpdatedAt = now;
        var series = db.DicomSeries.Local.FirstOrDefault(s => s.ProjectId == projectId && s.SeriesInstanceUid == header.SeriesInstanceUid)
            ?? await db.DicomSeries.FirstOrDefaultAsync(s => s.ProjectId == projectId && s.SeriesInstanceUid == header.SeriesInstanceUid, ct);
        if (series is null)
        {
            series = new DicomSeries
            {
                Id = Guid.CreateVersion7(),
                ProjectId = projectId,
                StudyId = study.Id,
                ScanId = scan.ScanId,
                SeriesInstanceUid = header.SeriesInstanceUid!,
                Modality = header.Get(DicomTags.Modality, 16),
                SeriesNumber = header.GetInt(DicomTags.SeriesNumber),
                SeriesDescription = header.Get(DicomTags.SeriesDescription),
                SeriesDate = header.Get(DicomTags.SeriesDate, 16),
                SeriesTime = header.Get(DicomTags.SeriesTime, 32),
                BodyPartExamined = header.Get(DicomTags.BodyPartExamined, 64),
                CreatedAt = now,
            };
            db.DicomSeries.Add(series);
        }
        db.DicomInstances.Add(NewInstance(projectId, series.Id, stored, header, now));
        placed.Value = new PlacedSeries(new ResolvedOwner(target, scan.ScanId, scan.SubjectId, scan.SessionId, scan.ScanId), series.Id,
            header.StudyInstanceUid!, header.PatientId);
    }

    private static DicomInstance NewInstance(Guid projectId, Guid seriesId, StoredFile stored, DicomHeader header, DateTime now) => new()
    {
        Id = Guid.CreateVersion7(),
        ProjectId = projectId,
        SeriesId = seriesId,
        FileId = stored.Id,
        SopInstanceUid = header.SopInstanceUid!,
        SopClassUid = header.SopClassUid!,
        TransferSyntaxUid = header.TransferSyntaxUid,
        InstanceNumber = header.GetInt(DicomTags.InstanceNumber),
        NumberOfFrames = header.GetInt(DicomTags.NumberOfFrames),
        Rows = header.GetInt(DicomTags.Rows),
        Columns = header.GetInt(DicomTags.Columns),
        CreatedAt = now,
    };
}
