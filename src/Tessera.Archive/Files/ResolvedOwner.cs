namespace Tessera.Archive.Files;

/// <summary>A <see cref="FileOwner"/> found in the database.</summary>
public sealed record ResolvedOwner(FileOwner Name, Guid OwnerId, Guid? SubjectId, Guid? SessionId, Guid? ScanId);
