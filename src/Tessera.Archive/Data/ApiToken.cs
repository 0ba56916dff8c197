namespace Tessera.Archive.Data;

/// <summary>An opaque API token; only the SHA-256 of its secret is kept.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public required string Name { get; set; }
    public required string SecretHash { get; set; }
    /// <summary>When set, the token reaches only this project.</summary>
    public Guid? ProjectId { get; set; }
    /// <summary>When set, a job's own token: it lives as long as the job runs, and acts for that job.</summary>
    public Guid? JobId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
}
