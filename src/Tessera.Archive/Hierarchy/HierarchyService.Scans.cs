using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;

namespace Tessera.Archive.Hierarchy;

public sealed partial class HierarchyService
{
    public async Task<Page<Scan>> ListScansAsync(
        ProjectAccess access, string subject, string session, Paging paging, CancellationToken ct)
    {
        var parent = await GetSessionAsync(access, subject, session, ct);
        // Scan labels are often series numbers: order numerically where they are numbers.
        return await paging.ApplyAsync(
            db.Scans.AsNoTracking().Where(s => s.SessionId == parent.Id).OrderBy(s => s.Label.Length).ThenBy(s => s.Label), ct);
    }

    public async Task<Scan> GetScanAsync(ProjectAccess access, string subject, string session, string scan, CancellationToken ct)
    {
        var parent = await GetSessionAsync(access, subject, session, ct);
        return await db.Scans.AsNoTracking().FirstOrDefaultAsync(s => s.SessionId == parent.Id && s.Label == scan, ct)
               ?? throw TesseraException.NotFound($"Scan '{scan}' of session '{session}'");
    }

    public async Task<(Scan Entity, bool Created)> PutScanAsync(
        ProjectAccess access, string subject, string session, string label, EntityWrite write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(write);
        access.RequireWrite();
        Labels.Validate(label, "scan label");
        ValidateType(write.Type);
        var parent = await GetSessionAsync(access, subject, session, ct);
        return await UpsertAsync(
            () => db.Scans.FirstOrDefaultAsync(s => s.SessionId == parent.Id && s.Label == label, ct),
            async () =>
            {
                var scan = new Scan
                {
                    Id = Guid.CreateVersion7(),
                    ProjectId = access.Project.Id,
                    SessionId = parent.Id,
                    Label = label,
                    Type = write.Type,
                    Quality = write.Quality,
                    Description = write.Description,
                    Fields = await fields.ValidateAsync(access.Project, EntityType.Scan, write.Fields),
                    CreatedAt = Now,
                    UpdatedAt = Now,
                };
                db.Scans.Add(scan);
                AppendChange(access, ChangeKinds.ScanCreated, scan.Id, ScanPath(subject, session, label));
                return scan;
            },
            async scan =>
            {
                scan.Type = write.Type ?? scan.Type;
                scan.Quality = write.Quality ?? scan.Quality;
                scan.Description = write.Description ?? scan.Description;
                if (write.Fields is not null)
                {
                    scan.Fields = await fields.ValidateAsync(access.Project, EntityType.Scan, write.Fields);
                }
                scan.UpdatedAt = Now;
            },
            ct);
    }

    public async Task DeleteScanAsync(ProjectAccess access, string subject, string session, string label, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        access.RequireWrite();
        var scan = await GetScanAsync(access, subject, session, label, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Scans.Where(s => s.Id == scan.Id).ExecuteDeleteAsync(ct);
        AppendChange(access, ChangeKinds.ScanDeleted, scan.Id, ScanPath(subject, session, label));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }
}
