namespace Tessera.Client.Contracts;

/// <summary>A project role as the API names it.</summary>
public enum Role
{
    Collaborator,
    Member,
    Owner,
}
