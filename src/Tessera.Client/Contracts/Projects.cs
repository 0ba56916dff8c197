namespace Tessera.Client.Contracts;

/// <param name="Role">The caller's own role, or null when they have none (admin, public project).</param>
public sealed record ProjectDto(
    string Id, string Name, string? Description, Visibility Visibility, Role? Role, DateTime CreatedAt, DateTime UpdatedAt,
    DicomSettingsDto? Dicom = null);

/// <summary>
/// A project's DICOM settings. In a PATCH, fields left out keep their values.
/// <paramref name="OnDifferentContent"/> is "version" or "reject": what happens when a stored SOP instance arrives with other bytes.
/// </summary>
public sealed record DicomSettingsDto(
    string? AeTitle = null, string? SessionLabel = null, string? SubjectWithoutPatientId = null, string? OnDifferentContent = null);

public sealed record CreateProjectRequest(string Id, string? Name = null, string? Description = null, Visibility Visibility = Visibility.Private);

public sealed record UpdateProjectRequest(string? Name = null, string? Description = null, Visibility? Visibility = null, DicomSettingsDto? Dicom = null);

public sealed record MemberDto(string Username, Role Role);

public sealed record SetMemberRequest(Role Role);
