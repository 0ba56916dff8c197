namespace Tessera.Archive.Data;

public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    /// <summary>The acting user's name, or null for anonymous.</summary>
    public string? Username { get; set; }
    public required string Action { get; set; }
    /// <summary>The project's slug when the action concerns one.</summary>
    public string? Project { get; set; }
    public required string Target { get; set; }
    public int Status { get; set; }
    public string? ClientAddress { get; set; }
}
