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

/// <summary>
/// PS3.15 Basic Application Level Confidentiality Profile, applied to every DICOM object the project receives, and its options.
/// <paramref name="Pseudonym"/> names the patients (left out: kept, by default a counter through <c>{project}-{n:0000}</c>);
/// <paramref name="KeepMapping"/> keeps each pseudonym's original PatientID for owners (left out: kept as it is; false deletes the kept originals).
/// </summary>
public sealed record DeidentificationDto(
    bool Enabled = true, bool RetainLongitudinalTemporal = false, bool RetainPatientCharacteristics = false, bool CleanDescriptors = false,
    PseudonymSettingsDto? Pseudonym = null, bool? KeepMapping = null);

/// <summary>
/// <paramref name="Method"/> "counter" (<paramref name="Pattern"/>: {project}, {n} or {n:0000}) or "hmac" (a keyed hash of the
/// original PatientID and issuer, as <paramref name="Prefix"/> ({project} allowed) and base32 digits).
/// </summary>
public sealed record PseudonymSettingsDto(string Method = "counter", string? Pattern = null, string? Prefix = null);

/// <summary>A de-identifying project's pseudonyms with the originals it keeps (none unless <paramref name="KeepMapping"/>).</summary>
public sealed record PseudonymMappingDto(bool KeepMapping, IReadOnlyList<PseudonymEntryDto> Pseudonyms);

/// <summary>One pseudonym and its original: the PatientID (and issuer), or for files without one, the original study it stands for.</summary>
public sealed record PseudonymEntryDto(string Pseudonym, string? PatientId, string? IssuerOfPatientId, string? StudyInstanceUid, DateTime CreatedAt);

public sealed record CreateProjectRequest(string Id, string? Name = null, string? Description = null, Visibility Visibility = Visibility.Private);

public sealed record UpdateProjectRequest(string? Name = null, string? Description = null, Visibility? Visibility = null, DicomSettingsDto? Dicom = null);

public sealed record MemberDto(string Username, Role Role);

public sealed record SetMemberRequest(Role Role);
