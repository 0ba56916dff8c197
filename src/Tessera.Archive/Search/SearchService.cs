using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Search;

/// <summary>
/// Finds subjects and sessions across every project the caller can read (their own, public
/// ones; all for admins), by text in labels, descriptions, custom-field values and the DICOM
/// patient name, patient ID and accession number of their studies, and by the
/// sessions' date and modality. A subject qualifies for the date and modality filters through its sessions.
/// </summary>
public sealed class SearchService(ArchiveDbContext db, AccessService access)
{
    public async Task<SearchResults> SearchAsync(Caller caller, SearchQuery query, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(query);
        if (query.IsEmpty)
        {
            return new SearchResults([], 0, [], 0);
        }
        var readable = access.Readable(caller).Select(p => p.Id);
        // Kept apart from the text-filtered sessions below: subjects qualify through sessions by date and modality only.
        var dated = FilterSessions(db.Sessions.AsNoTracking().Where(e => readable.Contains(e.ProjectId)), query);
        var sessions = dated;
        var subjects = db.Subjects.AsNoTracking().Where(s => readable.Contains(s.ProjectId));
        if (query.FiltersSessions)
        {
            subjects = subjects.Where(s => dated.Any(e => e.SubjectId == s.Id));
        }
        if (!string.IsNullOrWhiteSpace(query.Text))
        {
            var pattern = LikePatterns.Contains(query.Text);
            var escape = LikePatterns.EscapeCharacter;
            // DICOM studies match by patient name, patient ID and accession number (the DICOM index).
            var studies = db.DicomStudies.Where(d => (d.PatientName != null && EF.Functions.Like(d.PatientName.ToLower(), pattern, escape))
                || (d.PatientId != null && EF.Functions.Like(d.PatientId.ToLower(), pattern, escape))
                || (d.AccessionNumber != null && EF.Functions.Like(d.AccessionNumber.ToLower(), pattern, escape)));
            subjects = subjects.Where(s => EF.Functions.Like(s.Label.ToLower(), pattern, escape)
                || (s.Description != null && EF.Functions.Like(s.Description.ToLower(), pattern, escape))
                || (s.Fields != null && EF.Functions.Like(s.Fields.ToLower(), pattern, escape))
                || db.Sessions.Any(e => e.SubjectId == s.Id && studies.Any(d => d.SessionId == e.Id)));
            sessions = sessions.Where(e => EF.Functions.Like(e.Label.ToLower(), pattern, escape)
                || (e.Description != null && EF.Functions.Like(e.Description.ToLower(), pattern, escape))
                || (e.Fields != null && EF.Functions.Like(e.Fields.ToLower(), pattern, escape))
                || db.Subjects.Any(s => s.Id == e.SubjectId && EF.Functions.Like(s.Label.ToLower(), pattern, escape))
                || studies.Any(d => d.SessionId == e.Id));
        }
        var subjectHits = await (
                from s in subjects
                join p in db.Projects on s.ProjectId equals p.Id
                orderby p.Slug, s.Label
                select new SubjectHit(p.Slug, p.Name, s.Label, s.Description))
            .Take(limit).ToListAsync(ct);
        var sessionHits = await (
                from e in sessions
                join s in db.Subjects on e.SubjectId equals s.Id
                join p in db.Projects on e.ProjectId equals p.Id
                orderby e.Date descending, p.Slug, s.Label, e.Label
                select new SessionHit(p.Slug, p.Name, s.Label, e.Label, e.Type, e.Date, e.Description))
            .Take(limit).ToListAsync(ct);
        var subjectTotal = subjectHits.Count < limit ? subjectHits.Count : await subjects.CountAsync(ct);
        var sessionTotal = sessionHits.Count < limit ? sessionHits.Count : await sessions.CountAsync(ct);
        return new SearchResults(subjectHits, subjectTotal, sessionHits, sessionTotal);
    }

    private static IQueryable<Session> FilterSessions(IQueryable<Session> sessions, SearchQuery query)
    {
        if (query.From is { } from)
        {
            sessions = sessions.Where(e => e.Date >= from);
        }
        if (query.To is { } to)
        {
            sessions = sessions.Where(e => e.Date <= to);
        }
        if (!string.IsNullOrWhiteSpace(query.Modality))
        {
            var modality = query.Modality.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // EF Core translates ToLower() to SQL; a StringComparison it cannot
            sessions = sessions.Where(e => e.Type != null && e.Type.ToLower() == modality);
#pragma warning restore CA1862
        }
        return sessions;
    }
}
