namespace Tessera.Archive.Data;

/// <summary>
/// One stored content blob. <see cref="LeasedAt"/> is refreshed before every use so that the
/// sweeper never deletes a blob that an ingest is about to reference.
/// </summary>
public sealed class Blob
{
    public required string Key { get; set; }
    public long Size { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LeasedAt { get; set; }
}
