using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Archive.Dicom.Query;

/// <summary>
/// Answers queries of the DICOM index (QIDO-RS now, C-FIND later) from the projects the caller may
/// read. Matching runs in the database; attributes the index does not hold are read from the header
/// of a stored instance when asked for by name.
/// </summary>
public sealed partial class DicomQueryService(ArchiveDbContext db, AccessService access, IBlobStore blobs)
{
    public const int MaxLimit = 1000;

    private static readonly DicomTag[] StudyComputed =
        [DicomTags.ModalitiesInStudy, DicomTags.NumberOfStudyRelatedSeries, DicomTags.NumberOfStudyRelatedInstances];

    public async Task<DicomQueryResult> FindAsync(Caller caller, DicomQuery query, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        var ignored = new List<DicomTag>();
        var rows = Filter(await RowsAsync(caller, query, ct), query, ignored);
        var page = await Order(rows, query.Level).Skip(Math.Max(0, query.Offset)).Take(Math.Clamp(query.Limit, 1, MaxLimit)).ToListAsync(ct);
        var datasets = page.Select(row => Answer(row, query)).ToList();
        await AddComputedAsync(page, datasets, query.Level, ct);
        await AddFromFilesAsync(page, datasets, query, ct);
        return new DicomQueryResult(page.Select((row, i) => new DicomQueryMatch(row.Project, datasets[i])).ToList(), ignored);
    }

    /// <summary>
    /// The instances a query at the instance level matches (C-MOVE, C-GET), in series and instance
    /// order, at most <paramref name="limit"/>; an instance stored in several projects is given once.
    /// </summary>
    public async Task<IReadOnlyList<StoredInstance>> MatchingInstancesAsync(Caller caller, DicomQuery query, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        var instanceQuery = query with { Level = DicomQueryLevel.Instance };
        var rows = Filter(await RowsAsync(caller, instanceQuery, ct), instanceQuery, []);
        var found = await Stored(rows).Take(limit + 1).ToListAsync(ct);
        if (found.Count > limit)
            throw TesseraException.Invalid($"The request matches more than {limit} instances; ask for fewer (a study or a series at a time)");
        return found.DistinctBy(i => i.SopInstanceUid).ToList();
    }

    /// <summary>The SOP class of each of these instances that is indexed (so durably stored) in a project the caller may read.</summary>
    public async Task<IReadOnlyDictionary<string, string>> StoredClassesAsync(Caller caller, IReadOnlyCollection<string> sopInstanceUids, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(sopInstanceUids);
        var projects = access.Readable(caller).Select(p => p.Id);
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in sopInstanceUids.Distinct(StringComparer.Ordinal).Chunk(500))
        {
            var rows = await db.DicomInstances.AsNoTracking().Where(i => chunk.Contains(i.SopInstanceUid) && projects.Contains(i.ProjectId))
                .Select(i => new { i.SopInstanceUid, i.SopClassUid }).ToListAsync(ct);
            foreach (var row in rows)
                found.TryAdd(row.SopInstanceUid, row.SopClassUid);
        }
        return found;
    }

    /// <summary>Instance rows as the stored instances they are, in series and instance order.</summary>
    private IQueryable<StoredInstance> Stored(IQueryable<QueryRow> rows) =>
        from r in Order(rows, DicomQueryLevel.Instance)
        join f in db.Files on r.Instance!.FileId equals f.Id
        join p in db.Projects on r.Study.ProjectId equals p.Id
        select new StoredInstance(r.Project, p.IsPublic, r.Study.StudyInstanceUid, r.Series!.SeriesInstanceUid,
            r.Instance!.SopInstanceUid, r.Instance.SopClassUid, r.Instance.TransferSyntaxUid, f.Sha256, f.Size,
            r.Study.PatientId, r.Study.PatientName, r.Series.SeriesNumber, r.Instance.InstanceNumber, r.Instance.Rows, r.Instance.NumberOfFrames);

    /// <summary>The rows that every matching key of the query allows; keys the index does not hold are added to <paramref name="ignored"/>.</summary>
    private IQueryable<QueryRow> Filter(IQueryable<QueryRow> rows, DicomQuery query, List<DicomTag> ignored)
    {
        foreach (var (tag, value) in query.Keys)
        {
            if (QueryAttributes.Find(tag) is { } attribute && attribute.Level <= query.Level)
                rows = QueryFilters.Apply(rows, attribute, DicomCondition.Parse(value, attribute.IsRangeable, listable: attribute.Vr == DicomVr.UI || attribute.Number is not null), query.FuzzyMatching);
            else if (tag == DicomTags.ModalitiesInStudy && query.Level == DicomQueryLevel.Study)
                rows = FilterModalities(rows, value);
            else if (!IsReturnOnly(tag))
                ignored.Add(tag);
        }
        return rows;
    }

    /// <summary>
    /// The instances of a study, series or single instance in the projects the caller may read, in
    /// series and instance order; an instance stored in several projects is given once.
    /// </summary>
    public async Task<IReadOnlyList<StoredInstance>> InstancesAsync(
        Caller caller, string? project, string studyUid, string? seriesUid, string? sopInstanceUid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var query = new DicomQuery(DicomQueryLevel.Instance) { Project = project, StudyInstanceUid = studyUid, SeriesInstanceUid = seriesUid };
        var rows = await RowsAsync(caller, query, ct);
        if (sopInstanceUid is not null)
            rows = rows.Where(r => r.Instance!.SopInstanceUid == sopInstanceUid);
        var found = await Stored(rows).ToListAsync(ct);
        return found.DistinctBy(i => i.SopInstanceUid).ToList();
    }

    /// <summary>The DICOM series a scan holds and its instances in order (at most 1,000), or null when it holds none.</summary>
    public async Task<ScanSeries?> SeriesOfScanAsync(ProjectAccess scope, Guid scanId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var series = await db.DicomSeries.AsNoTracking().FirstOrDefaultAsync(s => s.ScanId == scanId && s.ProjectId == scope.Project.Id, ct);
        if (series is null)
            return null;
        var study = await db.DicomStudies.AsNoTracking().FirstAsync(s => s.Id == series.StudyId, ct);
        var instances = await db.DicomInstances.AsNoTracking().Where(i => i.SeriesId == series.Id)
            .OrderBy(i => i.InstanceNumber).ThenBy(i => i.Id)
            .Join(db.Files, i => i.FileId, f => f.Id, (i, f) => new SeriesInstance(i.SopInstanceUid, i.InstanceNumber, i.TransferSyntaxUid, f.Sha256, f.Id, i.NumberOfFrames ?? 1))
            .Take(1000).ToListAsync(ct);
        var total = await db.DicomInstances.CountAsync(i => i.SeriesId == series.Id, ct);
        var slide = await db.DicomInstances.AnyAsync(i => i.SeriesId == series.Id && i.SopClassUid == Tessera.Dicom.Dictionary.DicomUids.VlWholeSlideMicroscopyImageStorage, ct);
        return new ScanSeries(study.StudyInstanceUid, series.SeriesInstanceUid, series.Modality, series.SeriesDescription, instances, total, series.Id, slide);
    }

    /// <summary>A stored instance's whole structure, values over 4 KB left out (only their length is known).</summary>
    public async Task<DicomFile> ReadHeaderAsync(string fileKey, CancellationToken ct)
    {
        await using var stream = await blobs.OpenReadAsync(fileKey, ct);
        return DicomReader.Read(stream, new DicomReadOptions { BulkDataThreshold = 4096, DropBulkData = true });
    }

    /// <summary>The rows of the query's level in readable projects, scoped to its parent study and series.</summary>
    private async Task<IQueryable<QueryRow>> RowsAsync(Caller caller, DicomQuery query, CancellationToken ct)
    {
        var projects = access.Readable(caller);
        if (query.Project is { } slug)
        {
            await access.RequireAsync(slug, caller, AccessLevel.Read, ct);
            projects = projects.Where(p => p.Slug == slug);
        }
        var studies = db.DicomStudies.AsNoTracking();
        if (query.StudyInstanceUid is { } studyUid)
            studies = studies.Where(s => s.StudyInstanceUid == studyUid);
        var series = db.DicomSeries.AsNoTracking();
        if (query.SeriesInstanceUid is { } seriesUid)
            series = series.Where(s => s.SeriesInstanceUid == seriesUid);
        return query.Level switch
        {
            DicomQueryLevel.Study =>
                from st in studies
                join p in projects on st.ProjectId equals p.Id
                select new QueryRow { Project = p.Slug, Study = st },
            DicomQueryLevel.Series =>
                from se in series
                join st in studies on se.StudyId equals st.Id
                join p in projects on st.ProjectId equals p.Id
                select new QueryRow { Project = p.Slug, Study = st, Series = se },
            _ =>
                from i in db.DicomInstances.AsNoTracking()
                join se in series on i.SeriesId equals se.Id
                join st in studies on se.StudyId equals st.Id
                join p in projects on st.ProjectId equals p.Id
                join f in db.Files on i.FileId equals f.Id
                select new QueryRow { Project = p.Slug, Study = st, Series = se, Instance = i, FileKey = f.Sha256 },
        };
    }

    private IQueryable<QueryRow> FilterModalities(IQueryable<QueryRow> rows, string value)
    {
        var condition = DicomCondition.Parse(value, rangeable: false, listable: true);
        if (condition.Kind == DicomConditionKind.Universal)
            return rows;
        if (condition.Kind == DicomConditionKind.Wildcard)
            throw TesseraException.Invalid("ModalitiesInStudy matches a modality or a list of them, not a wildcard");
        var modalities = condition.Values.ToList();
        return rows.Where(r => db.DicomSeries.Any(s => s.StudyId == r.Study.Id && s.Modality != null && modalities.Contains(s.Modality)));
    }

    /// <summary>Attributes that a client may send only to have them returned (PS3.18 allows them as keys with no value to match).</summary>
    private static bool IsReturnOnly(DicomTag tag) =>
        tag == DicomTags.SpecificCharacterSet || tag == DicomTags.RetrieveUrl || tag == DicomTags.InstanceAvailability
        || Array.IndexOf(StudyComputed, tag) >= 0 || tag == DicomTags.NumberOfSeriesRelatedInstances;

    private static IOrderedQueryable<QueryRow> Order(IQueryable<QueryRow> rows, DicomQueryLevel level) => level switch
    {
        DicomQueryLevel.Study => rows.OrderByDescending(r => r.Study.StudyDate).ThenByDescending(r => r.Study.StudyTime).ThenBy(r => r.Study.Id),
        DicomQueryLevel.Series => rows.OrderBy(r => r.Study.Id).ThenBy(r => r.Series!.SeriesNumber).ThenBy(r => r.Series!.Id),
        _ => rows.OrderBy(r => r.Series!.Id).ThenBy(r => r.Instance!.InstanceNumber).ThenBy(r => r.Instance!.Id),
    };

    private static DicomDataset Answer(QueryRow row, DicomQuery query)
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192");
        foreach (var attribute in QueryAttributes.All)
        {
            if (attribute.Level > query.Level)
                continue;
            var wanted = query.IncludeAll || QueryAttributes.Defaults.Contains(attribute.Tag) || query.IncludeFields.Contains(attribute.Tag);
            if (!wanted)
                continue;
            var value = attribute.ValueOf(row);
            if (attribute.Vr == DicomVr.US)
            {
                if (value is not null)
                    dataset.SetUInt16(attribute.Tag, ushort.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                dataset.SetString(attribute.Tag, attribute.Vr, value ?? "");
            }
        }
        dataset.SetString(DicomTags.InstanceAvailability, DicomVr.CS, "ONLINE");
        return dataset;
    }

    private async Task AddComputedAsync(List<QueryRow> page, List<DicomDataset> datasets, DicomQueryLevel level, CancellationToken ct)
    {
        if (page.Count == 0 || level == DicomQueryLevel.Instance)
            return;
        if (level == DicomQueryLevel.Series)
        {
            var seriesIds = page.Select(r => r.Series!.Id).ToList();
            var counts = await db.DicomInstances.Where(i => seriesIds.Contains(i.SeriesId))
                .GroupBy(i => i.SeriesId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
            for (var i = 0; i < page.Count; i++)
                datasets[i].SetString(DicomTags.NumberOfSeriesRelatedInstances, DicomVr.IS, Text(counts.GetValueOrDefault(page[i].Series!.Id)));
            return;
        }
        var studyIds = page.Select(r => r.Study.Id).ToList();
        var series = (await db.DicomSeries.Where(s => studyIds.Contains(s.StudyId)).Select(s => new { s.StudyId, s.Modality }).ToListAsync(ct))
            .ToLookup(s => s.StudyId);
        var instances = await db.DicomInstances.Join(db.DicomSeries.Where(s => studyIds.Contains(s.StudyId)), i => i.SeriesId, s => s.Id, (i, s) => s.StudyId)
            .GroupBy(id => id).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        for (var i = 0; i < page.Count; i++)
        {
            var id = page[i].Study.Id;
            var own = series[id].ToList();
            var modalities = own.Select(s => s.Modality).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            datasets[i].SetString(DicomTags.ModalitiesInStudy, DicomVr.CS, string.Join('\\', modalities));
            datasets[i].SetString(DicomTags.NumberOfStudyRelatedSeries, DicomVr.IS, Text(own.Count));
            datasets[i].SetString(DicomTags.NumberOfStudyRelatedInstances, DicomVr.IS, Text(instances.GetValueOrDefault(id)));
        }
    }

    /// <summary>
    /// Attributes asked for that the index does not hold come from the header of one instance of each
    /// answer (for includefield=all at the instance level, its whole header but bulk data).
    /// </summary>
    private async Task AddFromFilesAsync(List<QueryRow> page, List<DicomDataset> datasets, DicomQuery query, CancellationToken ct)
    {
        var wanted = query.IncludeFields.Where(t => QueryAttributes.Find(t) is null && !IsReturnOnly(t)).ToList();
        var whole = query.IncludeAll && query.Level == DicomQueryLevel.Instance;
        if (wanted.Count == 0 && !whole)
            return;
        for (var i = 0; i < page.Count; i++)
        {
            var key = page[i].FileKey ?? await RepresentativeFileAsync(page[i], query.Level, ct);
            if (key is null)
                continue;
            DicomFile file;
            try
            {
                await using var stream = await blobs.OpenReadAsync(key, ct);
                file = DicomReader.Read(stream, DicomReadOptions.Headers with { DropBulkData = true });
            }
            catch (DicomException)
            {
                continue;
            }
            var target = datasets[i];
            foreach (var element in file.Dataset)
            {
                if (whole ? target.Contains(element.Tag) || element.Tag.IsGroupLength || element is DicomValueElement { IsLoaded: false }
                          : !wanted.Contains(element.Tag))
                    continue;
                Copy(file.Dataset, element, target);
            }
        }
    }

    /// <summary>Copies an element; text is re-encoded into the answer's UTF-8.</summary>
    private static void Copy(DicomDataset source, DicomElement element, DicomDataset target)
    {
        if (element is DicomValueElement value && DicomVrInfo.UsesCharacterSet(DicomDataset.ValueVr(value)))
            target.SetString(element.Tag, DicomDataset.ValueVr(value), source.GetString(element.Tag) ?? "");
        else if (element.Tag != DicomTags.SpecificCharacterSet)
            target.Set(element);
    }

    private async Task<string?> RepresentativeFileAsync(QueryRow row, DicomQueryLevel level, CancellationToken ct)
    {
        var instances = level == DicomQueryLevel.Series
            ? db.DicomInstances.Where(i => i.SeriesId == row.Series!.Id)
            : db.DicomInstances.Where(i => db.DicomSeries.Any(s => s.Id == i.SeriesId && s.StudyId == row.Study.Id));
        return await instances.OrderBy(i => i.InstanceNumber).Join(db.Files, i => i.FileId, f => f.Id, (_, f) => f.Sha256).FirstOrDefaultAsync(ct);
    }

    private static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
