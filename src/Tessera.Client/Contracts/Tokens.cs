namespace Tessera.Client.Contracts;

public sealed record CreateTokenRequest(string Name, int ExpiresInDays = 90, string? Project = null);

/// <summary>A new token; <see cref="Token"/> is shown only in this answer.</summary>
public sealed record CreatedTokenDto(Guid Id, string Token, string Name, string? Project, DateTime ExpiresAt);

public sealed record TokenDto(Guid Id, string Name, string? Project, DateTime CreatedAt, DateTime ExpiresAt, DateTime? LastUsedAt);
