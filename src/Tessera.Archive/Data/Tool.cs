namespace Tessera.Archive.Data;

/// <summary>
/// One immutable version of an analysis tool (<c>name@version</c>): its Boutiques descriptor as
/// registered, site-wide or for one project. Only its deprecation changes after registration.
/// </summary>
public sealed class Tool
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public required string Version { get; set; }
    /// <summary>Null for a site-wide tool; otherwise the one project that sees it.</summary>
    public Guid? ProjectId { get; set; }
    public required string Descriptor { get; set; }
    public string? Description { get; set; }
    /// <summary>The assessment type its results.json fills in (<c>custom."tessera:assessmentType"</c>).</summary>
    public string? AssessmentType { get; set; }
    public string? ContainerImage { get; set; }
    public bool Deprecated { get; set; }
    public string? DeprecationNote { get; set; }
    public Guid? CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}
