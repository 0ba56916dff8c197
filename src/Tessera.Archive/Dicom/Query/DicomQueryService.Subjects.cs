using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;

namespace Tessera.Archive.Dicom.Query;

public sealed partial class DicomQueryService
{
    /// <summary>
    /// The DICOM summary of each of these subjects (a page of the subjects table) in one query: their sessions,
    /// left-joined to the sessions' studies and those to their series, one row per session, study and modality.
    /// Subjects without sessions are absent from the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<Guid, SubjectDicomSummary>> SubjectSummariesAsync(
        ProjectAccess scope, IReadOnlyCollection<Guid> subjectIds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (subjectIds.Count == 0)
            return new Dictionary<Guid, SubjectDicomSummary>();
        var projectId = scope.Project.Id;
        var ids = subjectIds.ToList();
        var studies =
            from st in db.DicomStudies.AsNoTracking()
            where st.ProjectId == projectId
            join se in db.DicomSeries.AsNoTracking() on st.Id equals se.StudyId into series
            from se in series.DefaultIfEmpty()
            select new { st.SessionId, st.StudyDate, st.PatientName, st.PatientSex, st.PatientBirthDate, Modality = se == null ? null : se.Modality };
        var rows = await (
                from e in db.Sessions.AsNoTracking()
                where e.ProjectId == projectId && ids.Contains(e.SubjectId)
                join d in studies on e.Id equals d.SessionId into found
                from d in found.DefaultIfEmpty()
                select new
                {
                    e.SubjectId,
                    SessionId = e.Id,
                    StudyDate = d == null ? null : d.StudyDate,
                    PatientName = d == null ? null : d.PatientName,
                    PatientSex = d == null ? null : d.PatientSex,
                    BirthDate = d == null ? null : d.PatientBirthDate,
                    Modality = d == null ? null : d.Modality,
                })
            .Distinct()
            .ToListAsync(ct);
        return rows.GroupBy(r => r.SubjectId).ToDictionary(g => g.Key, g =>
        {
            // The latest study (by date; undated ones last) names the patient.
            var latest = g.Where(r => r.PatientName is not null || r.PatientSex is not null || r.BirthDate is not null)
                .OrderByDescending(r => r.StudyDate ?? "", StringComparer.Ordinal).FirstOrDefault();
            return new SubjectDicomSummary(
                SubjectDicomSummary.DisplayName(latest?.PatientName),
                latest?.PatientSex?.Trim() is { Length: > 0 } sex ? sex : null,
                SubjectDicomSummary.AgeAt(latest?.BirthDate, latest?.StudyDate),
                g.Select(r => r.SessionId).Distinct().Count(),
                g.Select(r => r.Modality?.Trim()).OfType<string>().Where(m => m.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList());
        });
    }
}
