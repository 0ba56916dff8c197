namespace Tessera.Client.Contracts;

public sealed record ResourceDto(string Label, int FileCount, long TotalSize);

/// <param name="Url">Where the file's content is read, relative to the server root.</param>
public sealed record FileDto(
    Guid Id, string Path, long Size, string Sha256, string MediaType, DateTime CreatedAt, DateTime UpdatedAt, string Url);
