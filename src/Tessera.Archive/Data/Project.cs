namespace Tessera.Archive.Data;

public sealed class Project
{
    public Guid Id { get; set; }
    /// <summary>The URL-safe identifier users see; immutable.</summary>
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public bool IsPublic { get; set; }
    /// <summary>JSON Schema for subject custom fields, or null.</summary>
    public string? SubjectSchema { get; set; }
    public string? SessionSchema { get; set; }
    public string? ScanSchema { get; set; }
    /// <summary>The project's DICOM settings as JSON (<see cref="Dicom.ProjectDicomSettings"/>); null for the defaults.</summary>
    public string? DicomSettings { get; set; }
    /// <summary>The project's own called AE title, kept from <see cref="DicomSettings"/> for routing (unique).</summary>
    public string? DicomAeTitle { get; set; }
    /// <summary>The executor of the project's jobs whose tool names none (null: the site's default).</summary>
    public string? JobExecutor { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<ProjectMember> Members { get; set; } = [];
}
