namespace Tessera.Archive.Data;

/// <summary>A named folder of files on a project, subject, session or scan.</summary>
public sealed class Resource
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid? SubjectId { get; set; }
    public Guid? SessionId { get; set; }
    public Guid? ScanId { get; set; }
    /// <summary>The id of the entity the resource hangs on; labels are unique per owner.</summary>
    public Guid OwnerId { get; set; }
    public required string Label { get; set; }
    public DateTime CreatedAt { get; set; }
}
