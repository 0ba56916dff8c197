namespace Tessera.Archive.Access;

public enum ProjectCreation
{
    /// <summary>Any signed-in user; they become the project's owner.</summary>
    Anyone,
    /// <summary>Site administrators only.</summary>
    Admins,
}
