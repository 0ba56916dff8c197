namespace Tessera.Archive.Search;

public sealed record SubjectHit(string Project, string ProjectName, string Label, string? Description);

public sealed record SessionHit(string Project, string ProjectName, string Subject, string Label, string? Type, DateOnly? Date, string? Description);

/// <summary>The first hits of each kind, and how many there are in all.</summary>
public sealed record SearchResults(IReadOnlyList<SubjectHit> Subjects, int SubjectTotal, IReadOnlyList<SessionHit> Sessions, int SessionTotal);
