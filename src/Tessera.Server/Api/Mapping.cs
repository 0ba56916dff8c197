using System.Text.Json;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;

namespace Tessera.Server.Api;

/// <summary>Archive entities to API contracts.</summary>
internal static class Mapping
{
    private static readonly JsonElement s_emptyObject = JsonSerializer.Deserialize<JsonElement>("{}");

    public static UserDto ToDto(this User u) => new(u.Username, u.Email, u.IsAdmin, u.IsDisabled, u.CreatedAt);

    public static ProjectDto ToDto(this Project p, ProjectRole role) => new(
        p.Slug, p.Name, p.Description, p.IsPublic ? Visibility.Public : Visibility.Private,
        role == ProjectRole.None ? null : (Role)((int)role - 1), p.CreatedAt, p.UpdatedAt,
        ToDto(Archive.Dicom.ProjectDicomSettings.Parse(p.DicomSettings)));

    public static DicomSettingsDto ToDto(Archive.Dicom.ProjectDicomSettings s) =>
        new(s.AeTitle, s.SessionLabel, s.SubjectWithoutPatientId, s.OnDifferentContent.ToString().ToLowerInvariant(),
            s.Deidentification is { Enabled: true } d ? new DeidentificationDto(true, d.RetainLongitudinalTemporal, d.RetainPatientCharacteristics, d.CleanDescriptors,
                    ToDto(d.EffectivePseudonym), d.KeepMapping)
                : new DeidentificationDto(false));

    private static PseudonymSettingsDto ToDto(Archive.Dicom.PseudonymSettings p) => p.Method == Archive.Dicom.PseudonymSettings.Hmac
        ? new PseudonymSettingsDto(p.Method, Prefix: p.EffectivePrefix)
        : new PseudonymSettingsDto(p.Method, Pattern: p.EffectivePattern);

    /// <summary>A pseudonym setting as given; an empty pattern or prefix is the default.</summary>
    public static Archive.Dicom.PseudonymSettings ToSettings(this PseudonymSettingsDto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        var method = (dto.Method ?? Archive.Dicom.PseudonymSettings.Counter).Trim().ToLowerInvariant();
        return new Archive.Dicom.PseudonymSettings
        {
            Method = method,
            Pattern = method == Archive.Dicom.PseudonymSettings.Counter && !string.IsNullOrWhiteSpace(dto.Pattern) ? dto.Pattern.Trim() : null,
            Prefix = method == Archive.Dicom.PseudonymSettings.Hmac && dto.Prefix is not null ? dto.Prefix.Trim() : null,
        };
    }

    /// <summary>Applies the fields a PATCH gave to the current settings.</summary>
    public static Archive.Dicom.ProjectDicomSettings Merge(this DicomSettingsDto patch, Archive.Dicom.ProjectDicomSettings current)
    {
        var policy = current.OnDifferentContent;
        if (patch.OnDifferentContent is { } text && !Enum.TryParse(text, ignoreCase: true, out policy))
            throw Archive.TesseraException.Invalid($"onDifferentContent is 'version' or 'reject', not '{text}'.");
        return current with
        {
            AeTitle = patch.AeTitle is null ? current.AeTitle : patch.AeTitle.Length == 0 ? null : patch.AeTitle,
            SessionLabel = patch.SessionLabel ?? current.SessionLabel,
            SubjectWithoutPatientId = patch.SubjectWithoutPatientId ?? current.SubjectWithoutPatientId,
            OnDifferentContent = policy,
            Deidentification = patch.Deidentification switch
            {
                null => current.Deidentification,
                { Enabled: false } => current.Deidentification is { } off ? off with { Enabled = false } : null,
                var d => (current.Deidentification ?? new Archive.Dicom.DeidentificationSettings()) with
                {
                    Enabled = true,
                    RetainLongitudinalTemporal = d.RetainLongitudinalTemporal,
                    RetainPatientCharacteristics = d.RetainPatientCharacteristics,
                    CleanDescriptors = d.CleanDescriptors,
                    Pseudonym = d.Pseudonym is { } pseudonym ? pseudonym.ToSettings() : current.Deidentification?.Pseudonym,
                    KeepMapping = d.KeepMapping ?? current.Deidentification?.KeepMapping ?? false,
                },
            },
        };
    }

    public static ProjectRole ToArchive(this Role role) => (ProjectRole)((int)role + 1);

    public static Role ToContract(this ProjectRole role) => (Role)((int)role - 1);

    public static SubjectDto ToDto(this Subject s, PageDto<SessionDto>? sessions = null) =>
        new(s.Label, s.Id, s.Description, Json(s.Fields), s.CreatedAt, s.UpdatedAt, sessions);

    public static SessionDto ToDto(this Session s, string subject, PageDto<ScanDto>? scans = null) =>
        new(s.Label, s.Id, subject, s.Type, s.Date, s.Description, Json(s.Fields), s.CreatedAt, s.UpdatedAt, scans);

    public static ScanDto ToDto(this Scan s) =>
        new(s.Label, s.Id, s.Type, s.Quality is { } q ? (Quality)(int)q : null, s.Description, Json(s.Fields), s.CreatedAt, s.UpdatedAt);

    public static PageDto<TOut> Map<TIn, TOut>(this Page<TIn> page, Func<TIn, TOut> map) =>
        new(page.Items.Select(map).ToList(), page.Total, page.Offset, page.Limit);

    public static EntityWrite ToWrite(this EntityBody? body) => body is null
        ? new EntityWrite()
        : new EntityWrite
        {
            Description = body.Description,
            Fields = body.Fields,
            Type = body.Type,
            Date = body.Date,
            Quality = body.Quality is { } q ? (ScanQuality)(int)q : null,
        };

    public static AuditEntryDto ToDto(this AuditEntry a) =>
        new(a.Id, a.At, a.Username, a.Action, a.Project, a.Target, a.Status, a.ClientAddress);

    private static JsonElement Json(string? text) =>
        string.IsNullOrEmpty(text) ? s_emptyObject : JsonSerializer.Deserialize<JsonElement>(text);
}
