namespace Tessera.Archive.Data;

/// <summary>
/// A resumable (tus) upload in progress: where its file will go, how long it is and how much of
/// it has been made durable. The bytes themselves are in the upload directory under its id.
/// </summary>
public sealed class Upload
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid UserId { get; set; }
    /// <summary>The owner, by labels; missing subjects, sessions and scans are created at completion.</summary>
    public string? Subject { get; set; }
    public string? Session { get; set; }
    public string? Scan { get; set; }
    public required string Resource { get; set; }
    public required string Path { get; set; }
    public string? MediaType { get; set; }
    public long Length { get; set; }
    /// <summary>Bytes received and flushed to disk; the file may be longer after a crash, never shorter.</summary>
    public long Offset { get; set; }
    /// <summary>The Upload-Metadata header as the client sent it, echoed back on HEAD.</summary>
    public string? Metadata { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    /// <summary>The stored file, once the last byte has arrived and been ingested.</summary>
    public Guid? FileId { get; set; }
}
