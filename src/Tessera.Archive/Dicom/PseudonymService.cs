using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;

namespace Tessera.Archive.Dicom;

/// <summary>
/// Finds or makes the pseudonym of an original patient in a de-identifying project. The patient is
/// found by a keyed hash of the original PatientID and IssuerOfPatientID (a file without a PatientID
/// is a patient of its own per original study), so every import, whatever its entry point, finds
/// the same pseudonym. Two imports of the same new patient at once both try to insert; the unique
/// indexes let one win, and the other finds its row. The original is written in clear only while
/// the project keeps the mapping (read from the database at that moment, not from the import's copy).
/// </summary>
public sealed class PseudonymService(DbContextOptions<ArchiveDbContext> options, AccessService access, TimeProvider clock)
{
    private const int Attempts = 20;

    /// <summary>Pseudonyms found or made by this scope (one import), by project and lookup.</summary>
    private readonly Dictionary<(Guid Project, string Lookup), string> _known = [];

    /// <summary>The lookup key: the project's key derived for this use only (so that no hash of one use is a hash of another).</summary>
    public static byte[] LookupKey(byte[] projectKey) => HMACSHA256.HashData(projectKey, "tessera pseudonym lookup"u8);

    /// <summary>The key of keyed-hash pseudonyms, derived like <see cref="LookupKey"/>.</summary>
    public static byte[] LabelKey(byte[] projectKey) => HMACSHA256.HashData(projectKey, "tessera pseudonym label"u8);

    /// <summary>What identifies the original patient: issuer and ID, or, without an ID, the original study.</summary>
    public static byte[] Identity(string? patientId, string? issuer, string studyInstanceUid) => patientId is null
        ? Encoding.UTF8.GetBytes("study\0" + studyInstanceUid)
        : Encoding.UTF8.GetBytes("patient\0" + (issuer ?? "") + "\0" + patientId);

    /// <summary>
    /// The pseudonym of the patient of an original object (values as read, before de-identification).
    /// Messages of the exceptions it throws never hold the original.
    /// </summary>
    public async Task<string> PseudonymAsync(
        Project project, DeidentificationSettings deid, string? patientId, string? issuer, string studyInstanceUid, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(deid);
        var key = Convert.FromBase64String(deid.Key ?? throw new InvalidOperationException("de-identification is on without a key"));
        var identity = Identity(patientId, issuer, studyInstanceUid);
        var lookup = Convert.ToHexStringLower(HMACSHA256.HashData(LookupKey(key), identity));
        if (_known.TryGetValue((project.Id, lookup), out var known))
            return known;
        var settings = deid.EffectivePseudonym;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            await using var db = new ArchiveDbContext(options);
            var row = await db.Pseudonyms.AsNoTracking().FirstOrDefaultAsync(p => p.ProjectId == project.Id && p.Lookup == lookup, ct);
            if (row is not null)
            {
                if (row.PatientId is null && row.StudyInstanceUid is null && await KeepsMappingAsync(db, project.Id, ct))
                {
                    // A pseudonym made while the mapping was not kept gets its original once the patient comes again.
                    await db.Pseudonyms.Where(p => p.Id == row.Id && p.PatientId == null && p.StudyInstanceUid == null)
                        .ExecuteUpdateAsync(u => u.SetProperty(p => p.PatientId, Clip(patientId)).SetProperty(p => p.IssuerOfPatientId, Clip(issuer))
                            .SetProperty(p => p.StudyInstanceUid, patientId is null ? Clip(studyInstanceUid) : null), ct);
                    await RecheckAsync(db, project.Id, row.Id, ct);
                }
                return _known[(project.Id, lookup)] = row.Label;
            }
            var keep = await KeepsMappingAsync(db, project.Id, ct);
            var (label, number) = settings.Method == PseudonymSettings.Hmac
                ? (await HmacLabelAsync(db, project, settings, HMACSHA256.HashData(LabelKey(key), identity), ct), (int?)null)
                : await CounterLabelAsync(db, project, settings, ct);
            var created = new Pseudonym
            {
                Id = Guid.CreateVersion7(),
                ProjectId = project.Id,
                Lookup = lookup,
                Label = label,
                Number = number,
                PatientId = keep ? Clip(patientId) : null,
                IssuerOfPatientId = keep ? Clip(issuer) : null,
                StudyInstanceUid = keep && patientId is null ? Clip(studyInstanceUid) : null,
                CreatedAt = clock.GetUtcNow().UtcDateTime,
            };
            db.Pseudonyms.Add(created);
            try
            {
                await db.SaveChangesAsync(ct);
                if (keep)
                    await RecheckAsync(db, project.Id, created.Id, ct);
                return _known[(project.Id, lookup)] = label;
            }
            catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
            {
                // Another import made this patient's pseudonym, or took the label or number: look again.
                await Task.Delay(Random.Shared.Next(5, 20 + attempt * 10), ct);
            }
        }
        throw TesseraException.Conflict("no pseudonym could be made for a new patient: other imports kept taking the same one; send the file again");
    }

    /// <summary>
    /// The pseudonyms whose original is kept, for the project's owners themselves: a job's token, which
    /// carries its submitter's rights into a tool, is refused.
    /// </summary>
    public async Task<(DeidentificationSettings? Settings, List<Pseudonym> Rows)> MappingAsync(Caller caller, string slug, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var cleared = await access.RequireAsync(slug, caller, AccessLevel.Manage, ct);
        if (caller.JobId is not null)
            throw TesseraException.Forbidden("A job's token cannot read the mapping of pseudonyms to original patient IDs.");
        var settings = ProjectDicomSettings.Parse(cleared.Project.DicomSettings).Deidentification;
        await using var db = new ArchiveDbContext(options);
        var rows = await db.Pseudonyms.AsNoTracking().Where(p => p.ProjectId == cleared.Project.Id && (p.PatientId != null || p.StudyInstanceUid != null))
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Label).ToListAsync(ct);
        return (settings, rows);
    }

    /// <summary>Forgets every original of a project's pseudonyms: the keyed hashes stay, so patients keep their pseudonyms.</summary>
    public static Task<int> ForgetOriginalsAsync(ArchiveDbContext db, Guid projectId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Pseudonyms.Where(p => p.ProjectId == projectId && (p.PatientId != null || p.IssuerOfPatientId != null || p.StudyInstanceUid != null))
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.PatientId, (string?)null).SetProperty(p => p.IssuerOfPatientId, (string?)null)
                .SetProperty(p => p.StudyInstanceUid, (string?)null), ct);
    }

    /// <summary>
    /// Takes back an original just written if the mapping was switched off meanwhile. The switch saves the
    /// settings, then forgets what is written; written before this check, the forget clears it, else this does.
    /// </summary>
    private static async Task RecheckAsync(ArchiveDbContext db, Guid projectId, Guid rowId, CancellationToken ct)
    {
        if (!await KeepsMappingAsync(db, projectId, ct))
        {
            await db.Pseudonyms.Where(p => p.Id == rowId)
                .ExecuteUpdateAsync(u => u.SetProperty(p => p.PatientId, (string?)null).SetProperty(p => p.IssuerOfPatientId, (string?)null)
                    .SetProperty(p => p.StudyInstanceUid, (string?)null), ct);
        }
    }

    private static async Task<bool> KeepsMappingAsync(ArchiveDbContext db, Guid projectId, CancellationToken ct)
    {
        var json = await db.Projects.AsNoTracking().Where(p => p.Id == projectId).Select(p => p.DicomSettings).FirstOrDefaultAsync(ct);
        return ProjectDicomSettings.Parse(json).Deidentification is { Enabled: true, KeepMapping: true };
    }

    /// <summary>The next number whose label neither a pseudonym nor another subject holds.</summary>
    private static async Task<(string, int?)> CounterLabelAsync(ArchiveDbContext db, Project project, PseudonymSettings settings, CancellationToken ct)
    {
        var n = (await db.Pseudonyms.Where(p => p.ProjectId == project.Id).MaxAsync(p => p.Number, ct) ?? 0) + 1;
        for (; ; n++)
        {
            var label = settings.CounterLabel(project.Slug, n);
            if (!await TakenAsync(db, project.Id, label, ct))
                return (label, n);
        }
    }

    /// <summary>The shortest keyed-hash label not held by another patient's pseudonym or another subject.</summary>
    private static async Task<string> HmacLabelAsync(ArchiveDbContext db, Project project, PseudonymSettings settings, byte[] mac, CancellationToken ct)
    {
        foreach (var length in PseudonymSettings.HmacLengths)
        {
            var label = settings.HmacLabel(project.Slug, mac, length);
            if (!await TakenAsync(db, project.Id, label, ct))
                return label;
        }
        throw TesseraException.Conflict("the keyed-hash pseudonym of a new patient collides with subjects already in the project at every length");
    }

    private static async Task<bool> TakenAsync(ArchiveDbContext db, Guid projectId, string label, CancellationToken ct) =>
        await db.Pseudonyms.AnyAsync(p => p.ProjectId == projectId && p.Label == label, ct)
        || await db.Subjects.AnyAsync(s => s.ProjectId == projectId && s.Label == label, ct);

    private static string? Clip(string? value) => value is { Length: > 256 } ? value[..256] : value;
}
