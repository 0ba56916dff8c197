using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom.Query;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Dicom.Media;

/// <summary>
/// DICOM media (PS3.10) of a session, a scan or a query's result: which instances, in which order and
/// under which file IDs (<see cref="Plan"/>), and the zip itself (<see cref="MediaWriter"/>). Only the
/// DICOM index's current instances are exported, as stored.
/// </summary>
public sealed class DicomMediaService(ArchiveDbContext db, HierarchyService hierarchy, DicomQueryService queries, IBlobStore blobs, IOptions<DicomMediaOptions> options)
{
    public DicomMediaOptions Options => options.Value;

    /// <summary>Every DICOM instance of the session (of its scans), planned.</summary>
    public async Task<IReadOnlyList<MediaInstance>> SessionAsync(ProjectAccess access, string subject, string session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        var found = await hierarchy.GetSessionAsync(access, subject, session, ct);
        var instances = await Instances(access, db.DicomStudies.Where(s => s.SessionId == found.Id), db.DicomSeries, ct);
        return instances.Count > 0 ? Plan(instances) : throw NoInstances($"Session '{session}'");
    }

    /// <summary>Every DICOM instance of the scan, planned.</summary>
    public async Task<IReadOnlyList<MediaInstance>> ScanAsync(ProjectAccess access, string subject, string session, string scan, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        var found = await hierarchy.GetScanAsync(access, subject, session, scan, ct);
        var instances = await Instances(access, db.DicomStudies, db.DicomSeries.Where(s => s.ScanId == found.Id), ct);
        return instances.Count > 0 ? Plan(instances) : throw NoInstances($"Scan '{scan}'");
    }

    /// <summary>The instances a query (matching keys at any level, as QIDO-RS takes them) finds in the project, planned.</summary>
    public async Task<IReadOnlyList<MediaInstance>> QueryAsync(Caller caller, DicomQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Keys.Count == 0 && query.StudyInstanceUid is null && query.SeriesInstanceUid is null)
            throw TesseraException.Invalid("Name what to export with at least one matching key (e.g. StudyInstanceUID=1.2.3,1.2.4 or PatientID=X).");
        var stored = await queries.MatchingInstancesAsync(caller, query, Options.MaxInstances, ct);
        if (stored.Count == 0)
            throw new TesseraException(ErrorKind.NotFound, "No DICOM instance that you may read matches the query.");
        Check(stored.Count, stored.Sum(i => i.Size));
        return Plan(stored.Select(i => new MediaInstance(i.Project, i.ProjectIsPublic, i.PatientId, i.PatientName, i.StudyInstanceUid, i.SeriesInstanceUid,
            i.SopInstanceUid, i.SopClassUid, i.FileKey, i.Size, i.SeriesNumber, i.InstanceNumber)).ToList());
    }

    private static TesseraException NoInstances(string what) => new(ErrorKind.NotFound,
        $"{what} holds no DICOM instances. Files uploaded as files are kept as they are; DICOM is indexed when it comes in through "
        + "import (tessera import, POST …/import), STOW-RS or C-STORE, and the import's report names the sessions it filled.");

    /// <summary>The scans of a session that hold DICOM instances (a session with none has no DICOM media to offer).</summary>
    public async Task<IReadOnlySet<Guid>> ScansWithInstancesAsync(Guid sessionId, CancellationToken ct) =>
        (await db.DicomSeries.AsNoTracking()
            .Where(se => db.DicomStudies.Any(st => st.Id == se.StudyId && st.SessionId == sessionId) && db.DicomInstances.Any(i => i.SeriesId == se.Id))
            .Select(se => se.ScanId).ToListAsync(ct)).ToHashSet();

    /// <summary>Writes the file-set as a zip to <paramref name="output"/>: see <see cref="MediaWriter"/>.</summary>
    public Task WriteAsync(IReadOnlyList<MediaInstance> instances, Stream output, CancellationToken ct) =>
        new MediaWriter(blobs, Options.FileSetId).WriteAsync(instances, output, ct);

    private async Task<List<MediaInstance>> Instances(ProjectAccess access, IQueryable<DicomStudy> studies, IQueryable<DicomSeries> series, CancellationToken ct)
    {
        var projectId = access.Project.Id;
        var rows =
            from i in db.DicomInstances.AsNoTracking()
            join se in series.AsNoTracking() on i.SeriesId equals se.Id
            join st in studies.AsNoTracking() on se.StudyId equals st.Id
            join f in db.Files.AsNoTracking() on i.FileId equals f.Id
            where i.ProjectId == projectId
            select new { st.PatientId, st.PatientName, st.StudyInstanceUid, se.SeriesInstanceUid, i.SopInstanceUid, i.SopClassUid, f.Sha256, f.Size, se.SeriesNumber, i.InstanceNumber };
        var count = await rows.CountAsync(ct);
        Check(count, count == 0 ? 0 : await rows.SumAsync(r => r.Size, ct));
        var slug = access.Project.Slug;
        var isPublic = access.Project.IsPublic;
        return (await rows.ToListAsync(ct)).Select(r => new MediaInstance(slug, isPublic, r.PatientId, r.PatientName, r.StudyInstanceUid, r.SeriesInstanceUid,
            r.SopInstanceUid, r.SopClassUid, r.Sha256, r.Size, r.SeriesNumber, r.InstanceNumber)).ToList();
    }

    private void Check(int count, long bytes)
    {
        if (count > Options.MaxInstances)
            throw TesseraException.Invalid($"The export would hold {count:N0} instances; DICOM media hold at most {Options.MaxInstances:N0} (Dicom:Media:MaxInstances). Export scans or studies one at a time.");
        if (Options.MaxBytes > 0 && bytes > Options.MaxBytes)
            throw TesseraException.Invalid($"The export would hold {bytes:N0} bytes; DICOM media hold at most {Options.MaxBytes:N0} (Dicom:Media:MaxBytes). Export scans or studies one at a time.");
    }

    /// <summary>
    /// Orders the instances (patient, study, series number, instance number) and gives each its file ID
    /// DICOM/PATnnnnn/STUnnnnn/SERnnnnn/IMGnnnnn, numbered within its parent: five components of at most
    /// eight of A–Z and 0–9 (PS3.10 8.5). An instance found twice (in two projects) is exported once.
    /// </summary>
    public static IReadOnlyList<MediaInstance> Plan(IReadOnlyList<MediaInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var ordered = instances.DistinctBy(i => i.SopInstanceUid, StringComparer.Ordinal)
            .GroupBy(i => (i.PatientId ?? "", i.PatientName ?? ""))
            .OrderBy(g => g.Key.Item1, StringComparer.Ordinal).ThenBy(g => g.Key.Item2, StringComparer.Ordinal)
            .ToList();
        var planned = new List<MediaInstance>(instances.Count);
        var p = 0;
        foreach (var patient in ordered)
        {
            p++;
            var s = 0;
            foreach (var study in patient.GroupBy(i => i.StudyInstanceUid).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                s++;
                var r = 0;
                foreach (var series in study.GroupBy(i => i.SeriesInstanceUid)
                             .OrderBy(g => g.First().SeriesNumber ?? int.MaxValue).ThenBy(g => g.Key, StringComparer.Ordinal))
                {
                    r++;
                    var n = 0;
                    foreach (var instance in series.OrderBy(i => i.InstanceNumber ?? int.MaxValue).ThenBy(i => i.SopInstanceUid, StringComparer.Ordinal))
                    {
                        n++;
                        planned.Add(instance with { FileId = ["DICOM", Component("PAT", p), Component("STU", s), Component("SER", r), Component("IMG", n)] });
                    }
                }
            }
        }
        return planned;
    }

    /// <summary>A component of a file ID: three letters and five digits, or one letter and seven past 99,999.</summary>
    internal static string Component(string prefix, int number) =>
        number <= 99_999 ? $"{prefix}{number:D5}" : $"{prefix[0]}{number:D7}";
}
