namespace Tessera.Archive.Data;

/// <summary>A job's transition into a state, as it happened: the job's history.</summary>
public sealed class JobEvent
{
    public long Id { get; set; }
    public Guid JobId { get; set; }
    public required string State { get; set; }
    public int Attempt { get; set; }
    public DateTime At { get; set; }
    public string? Detail { get; set; }
}
