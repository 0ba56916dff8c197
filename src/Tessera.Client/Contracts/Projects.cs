namespace Tessera.Client.Contracts;

/// <param name="Role">The caller's own role, or null when they have none (admin, public project).</param>
public sealed record ProjectDto(
    string Id, string Name, string? Description, Visibility Visibility, Role? Role, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record CreateProjectRequest(string Id, string? Name = null, string? Description = null, Visibility Visibility = Visibility.Private);

public sealed record UpdateProjectRequest(string? Name = null, string? Description = null, Visibility? Visibility = null);

public sealed record MemberDto(string Username, Role Role);

public sealed record SetMemberRequest(Role Role);
