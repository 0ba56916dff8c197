using Tessera.Archive.Data;

namespace Tessera.Archive.Ingest;

/// <summary>
/// Told of files as ingest records them, so that work which must follow a stored file (a pyramid, an event) is never
/// lost to a crash: <see cref="RecordingAsync"/> runs inside the transaction that records the files, on the same
/// database context, so what it writes commits or rolls back with them.
/// </summary>
public interface IStoredFileObserver
{
    /// <summary>Inside the recording transaction, after the files' rows are saved and before the commit.</summary>
    Task RecordingAsync(IReadOnlyList<StoredFile> files, CancellationToken ct);

    /// <summary>After the commit: a place to wake a worker (nothing that must not be lost belongs here).</summary>
    void Recorded();
}
