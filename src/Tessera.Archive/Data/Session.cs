namespace Tessera.Archive.Data;

/// <summary>One visit or acquisition of a subject.</summary>
public sealed class Session
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SubjectId { get; set; }
    public required string Label { get; set; }
    /// <summary>Modality-like type: MR, CT, OCT, SM, PSG...</summary>
    public string? Type { get; set; }
    public DateOnly? Date { get; set; }
    public string? Description { get; set; }
    public string? Fields { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
