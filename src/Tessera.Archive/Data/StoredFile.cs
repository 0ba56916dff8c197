namespace Tessera.Archive.Data;

public sealed class StoredFile
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid ResourceId { get; set; }
    /// <summary>Relative path inside the resource, '/'-separated.</summary>
    public required string Path { get; set; }
    public long Size { get; set; }
    /// <summary>Lower-case hex SHA-256 of the content; also the blob key.</summary>
    public required string Sha256 { get; set; }
    public required string MediaType { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
