namespace Tessera.Archive.Access;

/// <summary>What an operation needs on its project.</summary>
public enum AccessLevel
{
    Read,
    Write,
    Manage,
}
