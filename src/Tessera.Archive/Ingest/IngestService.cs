using System.Runtime.ExceptionServices;
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
/// unreferenced blob that the sweeper removes once its lease has expired. A batch of local files
/// takes the same steps together: one lease transaction and one record transaction for all.
/// </summary>
public sealed class IngestService(
    ArchiveDbContext db, FileService files, IBlobStore blobs, TimeProvider clock, IEnumerable<IStoredFileObserver> observers)
{
    private readonly IStoredFileObserver[] _observers = [.. observers];

    public Task<IngestResult> StoreAsync(ProjectAccess access, IngestRequest request, Stream content, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        return StoreAsync(access, request, () => blobs.StageAsync(content, ct), null, ct);
    }

    /// <summary>Stores a complete local file that the caller hands over (see <see cref="IngestFile"/>).</summary>
    public async Task<IngestResult> StoreFileAsync(ProjectAccess access, IngestFile file, CancellationToken ct)
    {
        var outcome = (await StoreFilesAsync(access, [file], ct))[0];
        if (outcome.Error is { } error)
            ExceptionDispatchInfo.Throw(error);
        return outcome.Result!;
    }

    /// <summary>
    /// Stores several local files together, for throughput: each is staged, all are leased in one
    /// transaction and made durable, then recorded in one transaction with their index rows. A file
    /// the archive refuses (a bad label, a wrong hash, a conflict with a concurrent writer) gets its
    /// error in the outcome and does not hold back the others; a failure of the server's own disk or
    /// database is thrown, and then nothing of the batch is recorded.
    /// </summary>
    public async Task<IReadOnlyList<IngestOutcome>> StoreFilesAsync(ProjectAccess access, IReadOnlyList<IngestFile> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(files);
        access.RequireWrite();
        var outcomes = new IngestOutcome?[files.Count];
        var accepted = new List<(int Index, ResolvedOwner Owner)>(files.Count);
        var owners = new Dictionary<FileOwner, ResolvedOwner>();
        for (var i = 0; i < files.Count; i++)
        {
            try
            {
                accepted.Add((i, await CheckAsync(access, files[i], owners, ct)));
            }
            catch (TesseraException e)
            {
                outcomes[i] = new IngestOutcome(null, e);
            }
        }
        var staged = accepted.Count == 0 ? []
            : await blobs.StageFilesAsync(accepted.Select(a => (files[a.Index].Path, files[a.Index].Sha256)).ToList(), ct);
        try
        {
            var ready = new List<Staging>(staged.Count);
            for (var j = 0; j < staged.Count; j++)
            {
                var (index, owner) = accepted[j];
                if (files[index].Request.ExpectedSha256 is { } expected && !string.Equals(expected, staged[j].Key, StringComparison.OrdinalIgnoreCase))
                {
                    outcomes[index] = new IngestOutcome(null, TesseraException.Invalid(
                        $"The content's SHA-256 is {staged[j].Key}, not the {expected} the request declared; nothing was stored."));
                    continue;
                }
                ready.Add(new Staging(index, files[index].Request, files[index].Index, owner, staged[j]));
            }
            if (ready.Count > 0)
            {
                await LeaseBlobsAsync(ready, ct);
                await blobs.CommitAsync(ready.Select(r => r.Blob).ToList(), ct);
                await RecordBatchAsync(access, ready, outcomes, ct);
            }
        }
        finally
        {
            foreach (var blob in staged)
                await blob.DisposeAsync();
        }
        return outcomes.Select(o => o!).ToList();
    }

    /// <summary>One file of a batch, staged in the blob store and checked, waiting to be leased and recorded.</summary>
    private sealed record Staging(
        int Index, IngestRequest Request, Func<StoredFile, CancellationToken, Task>? IndexRows, ResolvedOwner Owner, IStagedBlob Blob);

    /// <summary>Checks a file's labels and finds its owner (once per owner in a batch).</summary>
    private async Task<ResolvedOwner> CheckAsync(ProjectAccess access, IngestFile file, Dictionary<FileOwner, ResolvedOwner> owners, CancellationToken ct)
    {
        var request = file.Request;
        Labels.Validate(request.Resource, "resource label");
        FilePaths.Validate(request.Path);
        if (!owners.TryGetValue(request.Owner, out var owner))
        {
            owner = file.Resolved is { } resolved && resolved.Name == request.Owner ? resolved : await files.ResolveAsync(access, request.Owner, ct);
            owners[request.Owner] = owner;
        }
        return owner;
    }

    /// <summary>
    /// Records a batch in one transaction. If a concurrent writer keeps getting in the way (a unique
    /// key taken meanwhile), each file is recorded on its own instead, so that only the one in conflict fails.
    /// </summary>
    private async Task RecordBatchAsync(ProjectAccess access, List<Staging> batch, IngestOutcome?[] outcomes, CancellationToken ct)
    {
        // Twice: a row the batch would create (a resource, a study) that a concurrent writer created first is found on the second try.
        for (var attempt = 0; batch.Count > 1 && attempt < 2; attempt++)
        {
            try
            {
                var results = await RecordAsync(access, batch, ct);
                for (var i = 0; i < batch.Count; i++)
                    outcomes[batch[i].Index] = new IngestOutcome(results[i], null);
                return;
            }
            catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
            }
            catch (TesseraException)
            {
                // One file's index hook refused it: the files are recorded one by one, and only that one fails.
                db.ChangeTracker.Clear();
                break;
            }
        }
        foreach (var item in batch)
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    outcomes[item.Index] = new IngestOutcome((await RecordAsync(access, [item], ct))[0], null);
                    break;
                }
                catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
                {
                    // A concurrent writer created the same resource or path first: retry as an update.
                    db.ChangeTracker.Clear();
                    if (attempt == 2)
                    {
                        outcomes[item.Index] = new IngestOutcome(null, e);
                        break;
                    }
                }
                catch (TesseraException e)
                {
                    db.ChangeTracker.Clear();
                    outcomes[item.Index] = new IngestOutcome(null, e);
                    break;
                }
            }
        }
    }

    private async Task<IngestResult> StoreAsync(
        ProjectAccess access, IngestRequest request, Func<Task<IStagedBlob>> stage, Func<StoredFile, CancellationToken, Task>? index, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(request);
        access.RequireWrite();
        Labels.Validate(request.Resource, "resource label");
        FilePaths.Validate(request.Path);
        var owner = await files.ResolveAsync(access, request.Owner, ct);

        await using var staged = await stage();
        if (request.ExpectedSha256 is { } expected && !string.Equals(expected, staged.Key, StringComparison.OrdinalIgnoreCase))
        {
            throw TesseraException.Invalid(
                $"The content's SHA-256 is {staged.Key}, not the {expected} the request declared; nothing was stored.");
        }
        var item = new Staging(0, request, index, owner, staged);
        await LeaseBlobsAsync([item], ct);
        await staged.CommitAsync(ct);
        var outcomes = new IngestOutcome?[1];
        await RecordBatchAsync(access, [item], outcomes, ct);
        if (outcomes[0]!.Error is { } error)
            ExceptionDispatchInfo.Throw(error);
        return outcomes[0]!.Result!;
    }

    /// <summary>
    /// Refreshes (or creates) the blobs' rows before the blobs become visible, so a concurrent
    /// sweep either finished deleting first or sees a fresh lease and leaves the blob alone.
    /// </summary>
    private async Task LeaseBlobsAsync(IReadOnlyList<Staging> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = batch.Count > 1 ? await db.Database.BeginTransactionAsync(ct) : null;
        foreach (var (key, size) in batch.Select(b => (b.Blob.Key, b.Blob.Size)).Distinct())
        {
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO blobs (key, size, created_at, leased_at) VALUES ({key}, {size}, {now}, {now}) ON CONFLICT (key) DO UPDATE SET leased_at = excluded.leased_at",
                ct);
        }
        if (transaction is not null)
            await transaction.CommitAsync(ct);
    }

    /// <summary>Adds the file records of a batch, with a change each and their index rows, and commits them together.</summary>
    private async Task<IngestResult[]> RecordAsync(ProjectAccess access, IReadOnlyList<Staging> batch, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var resources = new Dictionary<(Guid Owner, string Label), (Resource Resource, bool New)>();
        var added = new Dictionary<(Guid Resource, string Path), StoredFile>();
        var results = new IngestResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (owner, request, key, size) = (batch[i].Owner, batch[i].Request, batch[i].Blob.Key, batch[i].Blob.Size);
            if (!resources.TryGetValue((owner.OwnerId, request.Resource), out var known))
            {
                var found = await db.Resources.FirstOrDefaultAsync(r => r.OwnerId == owner.OwnerId && r.Label == request.Resource, ct);
                known = (found ?? AddResource(access, owner, request.Resource, now), found is null);
                resources[(owner.OwnerId, request.Resource)] = known;
            }
            var resource = known.Resource;
            var mediaType = MediaTypes.Choose(request.Path, request.DeclaredMediaType);
            // A new resource holds no files yet but those of this batch.
            var file = added.GetValueOrDefault((resource.Id, request.Path))
                ?? (known.New ? null : await db.Files.FirstOrDefaultAsync(f => f.ResourceId == resource.Id && f.Path == request.Path, ct));
            var created = file is null;
            if (file is null)
            {
                file = new StoredFile
                {
                    Id = Guid.CreateVersion7(), ProjectId = access.Project.Id, ResourceId = resource.Id, Path = request.Path,
                    Sha256 = key, MediaType = mediaType, CreatedAt = now,
                };
                db.Files.Add(file);
            }
            added[(resource.Id, request.Path)] = file;
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
            if (batch[i].IndexRows is { } index)
                await index(file, ct);
            results[i] = new IngestResult(file, created);
        }
        var stored = results.Select(r => r.File).ToList();
        // What must follow a stored file is written by the observers in the same transaction (an outbox).
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            await db.SaveChangesAsync(ct);
            foreach (var observer in _observers)
                await observer.RecordingAsync(stored, ct);
            await transaction.CommitAsync(ct);
        }
        foreach (var observer in _observers)
            observer.Recorded();
        return results;
    }

    private Resource AddResource(ProjectAccess access, ResolvedOwner owner, string label, DateTime now)
    {
        var resource = new Resource
        {
            Id = Guid.CreateVersion7(),
            ProjectId = access.Project.Id,
            SubjectId = owner.SubjectId,
            SessionId = owner.SessionId,
            ScanId = owner.ScanId,
            OwnerId = owner.OwnerId,
            Label = label,
            CreatedAt = now,
        };
        db.Resources.Add(resource);
        return resource;
    }
}
