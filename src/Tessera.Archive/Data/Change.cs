namespace Tessera.Archive.Data;

/// <summary>An entry of the append-only change log that triggers, sync and webhooks read.</summary>
public sealed class Change
{
    public long Sequence { get; set; }
    public DateTime At { get; set; }
    public required string Kind { get; set; }
    public Guid ProjectId { get; set; }
    public Guid EntityId { get; set; }
    /// <summary>The entity's path inside its project, e.g. <c>subjects/S1/sessions/E1</c>.</summary>
    public required string Path { get; set; }
}
