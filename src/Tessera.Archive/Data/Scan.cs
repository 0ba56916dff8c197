namespace Tessera.Archive.Data;

public sealed class Scan
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SessionId { get; set; }
    public required string Label { get; set; }
    public string? Type { get; set; }
    public ScanQuality? Quality { get; set; }
    public string? Description { get; set; }
    public string? Fields { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
