namespace Tessera.Client.Contracts;

public sealed record ResourceDto(string Label, int FileCount, long TotalSize);

/// <param name="Url">Where the file's content is read, relative to the server root.</param>
/// <param name="Iiif">For an image Tessera can show: its IIIF Image API 3 base URI (the image id is the file id).</param>
/// <param name="Dzi">For an image Tessera can show: its Deep Zoom descriptor.</param>
public sealed record FileDto(
    Guid Id, string Path, long Size, string Sha256, string MediaType, DateTime CreatedAt, DateTime UpdatedAt, string Url,
    string? Iiif = null, string? Dzi = null);
