namespace Tessera.Archive.Data;

/// <summary>One tool run over many sessions or scans of a project, with at most <see cref="MaxConcurrent"/> of its jobs running at once.</summary>
public sealed class Batch
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ToolId { get; set; }
    /// <summary>How the targets were chosen, in words (for the list and the summary).</summary>
    public required string Selection { get; set; }
    public required string Inputs { get; set; }
    public int MaxConcurrent { get; set; }
    public int Total { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}
