namespace Tessera.Archive.Access;

public sealed class AccessOptions
{
    public const string SectionName = "Access";

    /// <summary>Who may create projects.</summary>
    public ProjectCreation ProjectCreation { get; set; } = ProjectCreation.Anyone;
}
