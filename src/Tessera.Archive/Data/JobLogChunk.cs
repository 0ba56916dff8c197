namespace Tessera.Archive.Data;

/// <summary>
/// A piece of a job's standard output or error, in the order it was written (by id). Kept in the
/// database, so that any node can serve and follow the log of a job that runs on another.
/// </summary>
public sealed class JobLogChunk
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public int Attempt { get; set; }
    /// <summary>1 for standard output, 2 for standard error.</summary>
    public int Stream { get; set; }
    public DateTime At { get; set; }
    public required string Text { get; set; }
}
