namespace Tessera.Archive.Data;

public sealed class Subject
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public required string Label { get; set; }
    public string? Description { get; set; }
    /// <summary>Custom-field values as a JSON object.</summary>
    public string? Fields { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
