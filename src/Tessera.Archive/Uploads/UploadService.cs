using System.Buffers;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Ingest;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Uploads;

/// <summary>
/// Resumable uploads (the tus model): create with a length and a target, append bytes at the
/// current offset, and on the last byte hand the file to the ingest path. Only the bytes that
/// reached the disk (fsync) are counted, so an offset once reported is never lost; a long request
/// counts them as it goes (<see cref="UploadOptions.CheckpointBytes"/>), so a crash in its middle
/// loses only what came since the last checkpoint. An upload is its creator's alone, and every
/// append re-checks their right to write to the project.
/// </summary>
public sealed partial class UploadService(
    ArchiveDbContext db,
    AccessService accessService,
    HierarchyService hierarchy,
    IngestService ingest,
    UploadHashes hashes,
    IOptions<UploadOptions> options,
    IOptions<StorageOptions> storage,
    TimeProvider clock,
    ILogger<UploadService> logger)
{
    private const int BufferSize = 1 << 20;
    private const long WritebackBytes = 16 << 20;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    /// <summary>Where the bytes of unfinished uploads are; created by the first upload.</summary>
    public string Directory { get; } = options.Value.ResolveDirectory(storage.Value);

    private string DataPath(Guid id) => System.IO.Path.Combine(Directory, id.ToString("N"));

    public async Task<(Upload Upload, ProjectAccess Access)> CreateAsync(Caller caller, UploadTarget target, long length, string? metadata, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(target);
        var userId = caller.RequireUserId();
        var access = await accessService.RequireAsync(target.Project, caller, AccessLevel.Write, ct);
        var owner = target.Owner;
        if ((owner.Scan is not null && owner.Session is null) || (owner.Session is not null && owner.Subject is null))
        {
            throw TesseraException.Invalid("A scan needs its session, and a session its subject.");
        }
        ValidateLabel(owner.Subject, "subject label");
        ValidateLabel(owner.Session, "session label");
        ValidateLabel(owner.Scan, "scan label");
        Labels.Validate(target.Resource, "resource label");
        FilePaths.Validate(target.Path);
        if (length < 0)
        {
            throw TesseraException.Invalid("The upload length must not be negative.");
        }
        System.IO.Directory.CreateDirectory(Directory);
        FreeSpace.Require(Directory, length, (free, needed) => $"The server has {free} MiB free for uploads; this file needs {needed} MiB.");
        await hierarchy.EnsureOwnerAsync(access, owner, ct);

        var now = Now;
        var upload = new Upload
        {
            Id = Guid.NewGuid(),
            ProjectId = access.Project.Id,
            UserId = userId,
            Subject = owner.Subject,
            Session = owner.Session,
            Scan = owner.Scan,
            Resource = target.Resource,
            Path = target.Path,
            MediaType = target.MediaType is { Length: <= 256 } type ? type : null,
            Length = length,
            Metadata = metadata,
            CreatedAt = now,
            UpdatedAt = now,
            ExpiresAt = now + options.Value.Expiry,
        };
        db.Uploads.Add(upload);
        await db.SaveChangesAsync(ct);
        LogCreated(upload.Id, access.Project.Slug, owner.PathPrefix + "resources/" + target.Resource + "/" + target.Path, length);
        if (length == 0)
        {
            await CompleteAsync(access, upload, null, ct);
        }
        return (upload, access);
    }

    private static void ValidateLabel(string? label, string what)
    {
        if (label is not null)
        {
            Labels.Validate(label, what);
        }
    }

    /// <summary>The caller's own upload; anyone else's is reported as missing.</summary>
    public async Task<Upload> GetAsync(Caller caller, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.RequireUserId();
        var upload = await db.Uploads.FirstOrDefaultAsync(u => u.Id == id, ct);
        if (upload is null || upload.UserId != userId || (caller.TokenProjectId is { } scope && scope != upload.ProjectId))
        {
            throw TesseraException.NotFound("The upload");
        }
        return upload;
    }

    /// <summary>
    /// Appends <paramref name="body"/> at <paramref name="offset"/>, which must be where the upload
    /// stands. A body cut short (dropped connection) keeps what arrived unless a checksum was sent,
    /// which then cannot be verified. Completes the upload when its last byte arrives.
    /// </summary>
    public async Task<(Upload Upload, ProjectAccess Access)> AppendAsync(
        Caller caller, Guid id, long offset, Stream body, byte[]? chunkSha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var upload = await GetAsync(caller, id, ct);
        var access = await RequireWriteAsync(caller, upload, ct);
        if (upload.FileId is not null)
        {
            throw TesseraException.Conflict("The upload is already complete.");
        }
        if (offset != upload.Offset)
        {
            throw TesseraException.Conflict($"The upload stands at offset {upload.Offset}, not {offset}.");
        }

        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(DataPath(id), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(DataPath(id)))
        {
            throw TesseraException.Conflict("Another request is writing to this upload; try again when it has finished.");
        }
        IncrementalHash? running;
        using (file)
        {
            // Under the lock, the offset read before it may be stale: a request that held it has since counted more.
            await db.Entry(upload).ReloadAsync(ct);
            if (offset != upload.Offset || upload.FileId is not null)
            {
                throw TesseraException.Conflict($"The upload stands at offset {upload.Offset}, not {offset}.");
            }
            var onDisk = RandomAccess.GetLength(file);
            if (onDisk < upload.Offset)
            {
                // The bytes were lost (a failed completion moved them away, or the disk was restored): start over.
                upload.Offset = 0;
                await db.SaveChangesAsync(CancellationToken.None);
                hashes.Forget(id);
                throw TesseraException.Conflict("The upload's data was lost on the server; resume from offset 0.");
            }
            if (onDisk > upload.Offset)
            {
                // Bytes written but never flushed and counted before a crash: not trusted.
                RandomAccess.SetLength(file, upload.Offset);
            }
            var start = upload.Offset;
            long written;
            (written, running) = await ReceiveAsync(upload, file, body, hashes.Take(id, upload.Offset), chunkSha256, ct);
            await CountAsync(upload, start + written);
        }
        if (upload.Offset < upload.Length)
        {
            if (running is not null)
            {
                hashes.Put(id, upload.Offset, running);
            }
            return (upload, access);
        }
        string? sha256 = null;
        if (running is not null)
        {
            sha256 = Convert.ToHexStringLower(running.GetHashAndReset());
            running.Dispose();
        }
        await CompleteAsync(access, upload, sha256, ct);
        return (upload, access);
    }

    /// <summary>Records <paramref name="offset"/> bytes as the upload's, which the caller has flushed to disk.</summary>
    private async Task CountAsync(Upload upload, long offset)
    {
        upload.Offset = offset;
        upload.UpdatedAt = Now;
        upload.ExpiresAt = upload.UpdatedAt + options.Value.Expiry;
        // Not the request's token: bytes on disk are counted even when the client has gone.
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>
    /// Copies the body to the file at the upload's offset and flushes it. Returns the bytes kept,
    /// and the running hash if it still covers exactly the kept bytes (null once bytes it took in
    /// were discarded). On a checksum mismatch or an overlong body nothing of this request is kept.
    /// Without a checksum, every <see cref="UploadOptions.CheckpointBytes"/> the bytes so far are
    /// flushed and counted (a chunk with a checksum is kept whole or not at all, so only at its end).
    /// </summary>
    private async Task<(long Written, IncrementalHash? Running)> ReceiveAsync(
        Upload upload, SafeFileHandle file, Stream body, IncrementalHash? running, byte[]? chunkSha256, CancellationToken ct)
    {
        var start = upload.Offset;
        var room = upload.Length - start;
        using var chunkHash = chunkSha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long written = 0;
        long flushedTo = start;
        var checkpointedTo = start;
        var checkpointBytes = options.Value.CheckpointBytes;
        var interrupted = false;
        try
        {
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), ct);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException)
                {
                    interrupted = true;
                    LogInterrupted(upload.Id, start + written, e.Message);
                    break;
                }
                if (read == 0)
                {
                    break;
                }
                if (written + read > room)
                {
                    await DiscardAsync(upload, start, file, running);
                    throw TesseraException.TooLarge(
                        $"The request carries more than the {room} bytes left of the declared upload length; nothing of it was kept.");
                }
                RandomAccess.Write(file, buffer.AsSpan(0, read), start + written);
                running?.AppendData(buffer, 0, read);
                chunkHash?.AppendData(buffer, 0, read);
                written += read;
                if (start + written - flushedTo >= WritebackBytes)
                {
                    NativeFileSystem.StartWriteback(file, flushedTo, start + written - flushedTo);
                    flushedTo = start + written;
                }
                if (chunkHash is null && start + written - checkpointedTo >= checkpointBytes)
                {
                    RandomAccess.FlushToDisk(file);
                    checkpointedTo = start + written;
                    await CountAsync(upload, checkpointedTo);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (chunkHash is not null && (interrupted || !CryptographicOperations.FixedTimeEquals(chunkHash.GetHashAndReset(), chunkSha256)))
        {
            await DiscardAsync(upload, start, file, running);
            if (interrupted)
            {
                return (0, null);
            }
            throw new ChunkChecksumException("The chunk's SHA-256 does not match the Upload-Checksum header; it was discarded.");
        }
        RandomAccess.FlushToDisk(file);
        return (written, running);
    }

    /// <summary>Drops what this request wrote since <paramref name="start"/>, its checkpoints included.</summary>
    private async Task DiscardAsync(Upload upload, long start, SafeFileHandle file, IncrementalHash? running)
    {
        RandomAccess.SetLength(file, start);
        // The running hash has taken in the discarded bytes: the file is hashed again at completion.
        running?.Dispose();
        hashes.Forget(upload.Id);
        if (upload.Offset != start)
        {
            await CountAsync(upload, start);
        }
    }

    /// <summary>
    /// Stores the finished file through the ingest path. If that fails the bytes stay, and the
    /// upload steps back by one byte: the client's retry of the last byte completes it again.
    /// </summary>
    private async Task CompleteAsync(ProjectAccess access, Upload upload, string? sha256, CancellationToken ct)
    {
        var path = DataPath(upload.Id);
        if (upload.Length == 0)
        {
            await File.WriteAllBytesAsync(path, [], ct);
        }
        var request = new IngestRequest(
            new FileOwner(upload.Subject, upload.Session, upload.Scan), upload.Resource, upload.Path, DeclaredMediaType: upload.MediaType);
        try
        {
            // Made at creation too; again here, in case the owner was deleted while the bytes arrived.
            await hierarchy.EnsureOwnerAsync(access, request.Owner, ct);
            var result = await ingest.StoreFileAsync(access, new IngestFile(request, path, sha256), ct);
            upload.FileId = result.File.Id;
            upload.UpdatedAt = Now;
            await db.SaveChangesAsync(CancellationToken.None);
            LogCompleted(upload.Id, result.File.Sha256);
        }
        catch (Exception e) when (upload.Length > 0 && e is not OutOfMemoryException)
        {
            db.ChangeTracker.Clear();
            // The bytes are still here unless the failure came after the blob store took them.
            var kept = File.Exists(path) ? upload.Length - 1 : 0;
            if (kept > 0)
            {
                using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
                RandomAccess.SetLength(file, kept);
            }
            await db.Uploads.Where(u => u.Id == upload.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.Offset, kept), CancellationToken.None);
            throw;
        }
    }

    private async Task<ProjectAccess> RequireWriteAsync(Caller caller, Upload upload, CancellationToken ct)
    {
        var slug = await db.Projects.Where(p => p.Id == upload.ProjectId).Select(p => p.Slug).FirstAsync(ct);
        return await accessService.RequireAsync(slug, caller, AccessLevel.Write, ct);
    }

    /// <summary>Stops an upload and deletes its bytes (tus termination); returns its project's slug.</summary>
    public async Task<string> DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        var upload = await GetAsync(caller, id, ct);
        if (!TryDeleteData(id))
        {
            throw TesseraException.Conflict("A request is still writing to this upload; try again when it has finished.");
        }
        db.Uploads.Remove(upload);
        await db.SaveChangesAsync(ct);
        hashes.Forget(id);
        return await db.Projects.Where(p => p.Id == upload.ProjectId).Select(p => p.Slug).FirstAsync(ct);
    }

    /// <summary>Deletes an upload's bytes unless a request is writing them; true when they are gone.</summary>
    private bool TryDeleteData(Guid id) => TryDeleteUnlocked(DataPath(id));

    /// <summary>Deletes a file unless a request holds it open (its lock); true when it is gone.</summary>
    private static bool TryDeleteUnlocked(string path)
    {
        try
        {
            using (File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                File.Delete(path);
            }
            return true;
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        catch (IOException)
        {
            return !File.Exists(path);
        }
    }

    /// <summary>
    /// Deletes expired uploads with their bytes, bytes whose upload no longer exists, and what imports
    /// spooled and a crash left behind: at once when the process that spooled it is gone, otherwise once
    /// older than <c>Storage:TemporaryMaxAge</c> and held by no request.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = Now;
        var removed = 0;
        var expired = await db.Uploads.Where(u => u.ExpiresAt < now).OrderBy(u => u.ExpiresAt).Select(u => u.Id).Take(1000).ToListAsync(ct);
        foreach (var id in expired)
        {
            if (TryDeleteData(id))
            {
                await db.Uploads.Where(u => u.Id == id && u.ExpiresAt < now).ExecuteDeleteAsync(ct);
                hashes.Forget(id);
                removed++;
            }
        }
        var cutoff = now - TimeSpan.FromHours(1);
        var files = new DirectoryInfo(Directory);
        foreach (var file in files.Exists ? files.EnumerateFiles() : [])
        {
            if (file.LastWriteTimeUtc < cutoff && Guid.TryParseExact(file.Name, "N", out var id)
                && !await db.Uploads.AnyAsync(u => u.Id == id, ct) && TryDeleteData(id))
            {
                removed++;
            }
        }
        var staging = options.Value.ImportStaging(storage.Value);
        var abandoned = now - storage.Value.TemporaryMaxAge;
        removed += staging.SweepOrphans(abandoned);
        // Files straight in import/ were spooled by versions before owner folders.
        foreach (var file in new DirectoryInfo(staging.Parent).EnumerateFiles())
        {
            if (file.LastWriteTimeUtc < abandoned && TryDeleteUnlocked(file.FullName))
            {
                removed++;
            }
        }
        if (removed > 0)
        {
            LogSwept(removed);
        }
        return removed;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Upload {Id} created in {Project}: {Target}, {Length} bytes")]
    private partial void LogCreated(Guid id, string project, string target, long length);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Upload {Id} complete, stored as {Sha256}")]
    private partial void LogCompleted(Guid id, string sha256);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Upload {Id} interrupted at byte {Offset}: {Reason}")]
    private partial void LogInterrupted(Guid id, long offset, string reason);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Swept {Count} expired or orphaned uploads and abandoned import files")]
    private partial void LogSwept(int count);
}
