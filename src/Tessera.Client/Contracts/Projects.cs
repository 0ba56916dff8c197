namespace Tessera.Client.Contracts;

/// <param name="Role">The caller's own role, or null when they have none (admin, public project).</param>
public sealed record ProjectDto(
    string Id, string Name, string? Description, Visibility Visibility, Role? Role, DateTime CreatedAt, DateTime UpdatedAt,
    DicomSettingsDto? Dicom = null);

/// <summary>
/// A project's DICOM settings. In a PATCH, fields left out keep their values.
/// <paramref name="OnDifferentContent"/> is "version" or "reject": what happens when a stored SOP instance arrives with other bytes.
/// <paramref name="Deidentification"/> switches de-identification on (with its options) or, with enabled false, off.
/// </summary>
public sealed record DicomSettingsDto(
    string? AeTitle = null, string? SessionLabel = null, string? SubjectWithoutPatientId = null, string? OnDifferentContent = null,
    DeidentificationDto? Deidentification = null);

/// <summary>PS3.15 Basic Application Level Confidentiality Profile, applied to every DICOM object the project receives, and its options.</summary>
public sealed record DeidentificationDto(
    bool Enabled = true, bool RetainLongitudinalTemporal = false, bool RetainPatientCharacteristics = false, bool CleanDescriptors = false);

public sealed record CreateProjectRequest(string Id, string? Name = null, string? Description = null, Visibility Visibility = Visibility.Private);

public sealed record UpdateProjectRequest(string? Name = null, string? Description = null, Visibility? Visibility = null, DicomSettingsDto? Dicom = null);

public sealed record MemberDto(string Username, Role Role);

public sealed record SetMemberRequest(Role Role);
