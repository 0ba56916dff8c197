namespace Tessera.Archive.Data;

/// <summary>
/// Something made from a stored image and kept as a blob of its own: a thumbnail, a built pyramid. Keyed by the
/// source's content hash, so every file with the same content shares it; <see cref="BlobKey"/> is set once it is ready.
/// </summary>
public sealed class DerivedImage
{
    public required string SourceKey { get; set; }

    /// <summary>What was made and how ("thumbnail-256").</summary>
    public required string Kind { get; set; }

    public string? BlobKey { get; set; }

    /// <summary>pending, building, ready or failed.</summary>
    public required string State { get; set; }

    public int Progress { get; set; }

    public string? Error { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}
