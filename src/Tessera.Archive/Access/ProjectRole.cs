namespace Tessera.Archive.Access;

/// <summary>A user's role on a project; higher values include the rights of lower ones.</summary>
public enum ProjectRole
{
    None = 0,
    /// <summary>Reads only.</summary>
    Collaborator = 1,
    /// <summary>Reads and writes data, runs tools.</summary>
    Member = 2,
    /// <summary>Also manages members and settings, and may delete the project.</summary>
    Owner = 3,
}
