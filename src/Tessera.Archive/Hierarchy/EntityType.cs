namespace Tessera.Archive.Hierarchy;

/// <summary>The entity types that carry custom fields.</summary>
public enum EntityType
{
    Subject,
    Session,
    Scan,
}
