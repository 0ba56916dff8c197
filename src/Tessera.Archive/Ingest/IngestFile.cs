using Tessera.Archive.Data;
using Tessera.Archive.Files;

namespace Tessera.Archive.Ingest;

/// <summary>
/// A complete local file handed to the ingest (a finished upload, a part of an import): it is moved
/// into the blob store, not copied. <see cref="Sha256"/> is its hash when the caller already knows it.
/// </summary>
public sealed record IngestFile(IngestRequest Request, string Path, string? Sha256 = null)
{
    /// <summary>
    /// Adds rows that describe the file (e.g. the DICOM index) to the context before the commit, so
    /// that they are written in the same transaction as the file record; called again on a retry.
    /// </summary>
    public Func<StoredFile, CancellationToken, Task>? Index { get; init; }

    /// <summary>The request's owner as found in the database, when the caller already knows it.</summary>
    public ResolvedOwner? Resolved { get; init; }
}

/// <summary>What became of one file of a batch: stored (<see cref="Result"/>), or refused with <see cref="Error"/>.</summary>
public sealed record IngestOutcome(IngestResult? Result, Exception? Error);
