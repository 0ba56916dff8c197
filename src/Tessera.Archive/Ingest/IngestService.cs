using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Changes;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Ingest;

/// <summary>
/// The one path by which file content enters the archive:
/// stream to a staged blob while hashing -> verify -> lease the blob row -> make the blob durable
/// under its key -> one transaction that records the file and appends a change. Success is
/// reported only after that commit. A failure at any step leaves no file record, and at worst an
/// unreferenced blob that the sweeper removes once its lease has expired.
/// </summary>
public sealed class IngestService(ArchiveDbContext db, FileService files, IBlobStore blobs, WriteGate gate, TimeProvider clock)
{
    public Task<IngestResult> StoreAsync(ProjectAccess access, IngestRequest request, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        return StoreAsync(access, request, () => blobs.StageAsync(content, ct), null, ct);
    }

    /// <summary>
    /// Stores a complete local file that the caller hands over (a finished resumable upload): it is
    /// moved into the blob store, not copied. <paramref name="sha256"/> is its hash if already known.
    /// </summary>
    /// <param name="index">
    /// Adds rows that describe the file (e.g. the DICOM index) to the context before the commit, so
    /// that they are written in the same transaction as the file record; called again on a retry.
    /// </param>
    /// <param name="resolved">The request's owner as found in the database, when the caller already knows it.</param>
    public Task<IngestResult> StoreFileAsync(
        ProjectAccess access, IngestRequest request, string path, string? sha256, CancellationToken ct,
        Func<StoredFile, CancellationToken, Task>? index = null, ResolvedOwner? resolved = null) =>
        StoreAsync(access, request, () => blobs.StageFileAsync(path, sha256, ct), index, ct, resolved);

    private async Task<IngestResult> StoreAsync(
        ProjectAccess access, IngestRequest request, Func<Task<IStagedBlob>> stage,
        Func<StoredFile, CancellationToken, Task>? index, CancellationToken ct, ResolvedOwner? resolved = null)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(request);
        access.RequireWrite();
        Labels.Validate(request.Resource, "resource label");
        FilePaths.Validate(request.Path);
        var owner = resolved is not null && resolved.Name == request.Owner ? resolved : await files.ResolveAsync(access, request.Owner, ct);

        await using var staged = await stage();
        if (request.ExpectedSha256 is { } expected && !string.Equals(expected, staged.Key, StringComparison.OrdinalIgnoreCase))
        {
            throw TesseraException.Invalid(
                $"The content's SHA-256 is {staged.Key}, not the {expected} the request declared; nothing was stored.");
        }
        await LeaseBlobAsync(staged.Key, staged.Size, ct);
        await staged.CommitAsync(ct);
        return await RecordAsync(access, owner, request, staged.Key, staged.Size, index, ct);
    }

    /// <summary>
    /// Refreshes (or creates) the blob's row before the blob becomes visible, so a concurrent
    /// sweep either finished deleting first or sees a fresh lease and leaves the blob alone.
    /// </summary>
    private async Task LeaseBlobAsync(string key, long size, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        using var _ = await gate.EnterAsync(ct);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO blobs (key, size, created_at, leased_at) VALUES ({key}, {size}, {now}, {now}) ON CONFLICT (key) DO UPDATE SET leased_at = excluded.leased_at",
            ct);
    }

    private async Task<IngestResult> RecordAsync(
        ProjectAccess access, ResolvedOwner owner, IngestRequest request, string key, long size,
        Func<StoredFile, CancellationToken, Task>? index, CancellationToken ct)
    {
        var mediaType = MediaTypes.Choose(request.Path, request.DeclaredMediaType);
        for (var attempt = 0; ; attempt++)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            try
            {
                var resource = await db.Resources.FirstOrDefaultAsync(r => r.OwnerId == owner.OwnerId && r.Label == request.Resource, ct);
                if (resource is null)
                {
                    resource = new Resource
                    {
                        Id = Guid.CreateVersion7(),
                        ProjectId = access.Project.Id,
                        SubjectId = owner.SubjectId,
                        SessionId = owner.SessionId,
                        ScanId = owner.ScanId,
                        OwnerId = owner.OwnerId,
                        Label = request.Resource,
                        CreatedAt = now,
                    };
                    db.Resources.Add(resource);
                }
                var file = await db.Files.FirstOrDefaultAsync(f => f.ResourceId == resource.Id && f.Path == request.Path, ct);
                var created = file is null;
                if (file is null)
                {
                    file = new StoredFile
                    {
                        Id = Guid.CreateVersion7(),
                        ProjectId = access.Project.Id,
                        ResourceId = resource.Id,
                        Path = request.Path,
                        Sha256 = key,
                        MediaType = mediaType,
                        CreatedAt = now,
                    };
                    db.Files.Add(file);
                }
                file.Sha256 = key;
                file.Size = size;
                file.MediaType = mediaType;
                file.UpdatedAt = now;
                db.Changes.Add(new Change
                {
                    At = now,
                    Kind = ChangeKinds.FileStored,
                    ProjectId = access.Project.Id,
                    EntityId = file.Id,
                    Path = $"{owner.Name.PathPrefix}resources/{request.Resource}/files/{request.Path}",
                });
                if (index is not null)
                    await index(file, ct);
                using (await gate.EnterAsync(ct))
                    await db.SaveChangesAsync(ct);
                return new IngestResult(file, created);
            }
            catch (DbUpdateException e) when (attempt < 2 && DatabaseErrors.IsUniqueViolation(e))
            {
                // A concurrent writer created the same resource or path first: retry as an update.
                db.ChangeTracker.Clear();
            }
        }
    }
}
