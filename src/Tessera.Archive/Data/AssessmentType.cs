namespace Tessera.Archive.Data;

/// <summary>A kind of derived result (e.g. <c>qc/oct-kqi</c>) and the JSON Schema its values follow.</summary>
public sealed class AssessmentType
{
    public required string Name { get; set; }
    public required string Schema { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
