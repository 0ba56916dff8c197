namespace Tessera.Archive.Files;

public sealed record ResourceSummary(string Label, int FileCount, long TotalSize);
