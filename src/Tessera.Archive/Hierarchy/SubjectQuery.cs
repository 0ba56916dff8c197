namespace Tessera.Archive.Hierarchy;

public enum SubjectSort
{
    Label,
    Created,
    Updated,
}

/// <summary>How to filter and order a project's subjects.</summary>
public sealed record SubjectQuery(string? Search = null, SubjectSort Sort = SubjectSort.Label, bool Descending = false);
