namespace Tessera.Archive.Data;

/// <summary>
/// Derived data on a session or scan: values of an assessment type, validated against its schema,
/// with their provenance (the tool version and job that produced them).
/// </summary>
public sealed class Assessment
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SubjectId { get; set; }
    public Guid SessionId { get; set; }
    public Guid? ScanId { get; set; }
    public required string Type { get; set; }
    /// <summary>The values as a JSON object.</summary>
    public required string Values { get; set; }
    public string? ToolName { get; set; }
    public string? ToolVersion { get; set; }
    public Guid? JobId { get; set; }
    public DateTime CreatedAt { get; set; }
}
