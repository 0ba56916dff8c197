namespace Tessera.Archive.Hierarchy;

/// <summary>One page of a listing: its items and the total number of items.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);
