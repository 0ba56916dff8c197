using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Dicom;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Projects;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>A project's name, description, visibility, de-identification and custom-field schemas, and its deletion; for owners.</summary>
[Access(AccessRule.ProjectManage)]
public sealed class SettingsModel(AccessService accessService, ProjectService projects) : TesseraPageModel
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public ProjectAccess Access { get; private set; } = null!;

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public bool Public { get; set; }

    [BindProperty]
    public EntityType SchemaType { get; set; }

    [BindProperty]
    public string? Schema { get; set; }

    [BindProperty]
    public string? Confirm { get; set; }

    [BindProperty]
    public bool Deidentify { get; set; }

    [BindProperty]
    public bool RetainLongitudinalTemporal { get; set; }

    [BindProperty]
    public bool RetainPatientCharacteristics { get; set; }

    [BindProperty]
    public bool CleanDescriptors { get; set; }

    [BindProperty]
    public string PseudonymMethod { get; set; } = PseudonymSettings.Counter;

    [BindProperty]
    public string? PseudonymPattern { get; set; }

    [BindProperty]
    public string? PseudonymPrefix { get; set; }

    [BindProperty]
    public bool KeepMapping { get; set; }

    /// <summary>Whether the stored settings keep the mapping (the download is offered only then).</summary>
    public bool MappingKept { get; private set; }

    /// <summary>Each entity type's schema as the form shows it (indented JSON), or a rejected edit to correct.</summary>
    public Dictionary<EntityType, string> Schemas { get; } = [];

    /// <param name="showStored">Fill the general form with the stored values (all but its own post, which shows what was sent).</param>
    private async Task LoadAsync(string p, bool showStored = false)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Manage, Aborted);
        Title = $"Settings of {Access.Project.Name}";
        AddProjectCrumbs(p);
        Crumbs.Add(new Crumb("Settings"));
        foreach (var type in Enum.GetValues<EntityType>())
        {
            Schemas[type] = ProjectService.SchemaOf(Access.Project, type) is { } text
                ? JsonSerializer.Serialize(JsonDocument.Parse(text).RootElement, s_indented)
                : "";
        }
        var deid = ProjectDicomSettings.Parse(Access.Project.DicomSettings).Deidentification;
        MappingKept = deid is { Enabled: true, KeepMapping: true };
        if (showStored)
        {
            Name = Access.Project.Name;
            Description = Access.Project.Description;
            Public = Access.Project.IsPublic;
            var pseudonym = deid?.EffectivePseudonym ?? new PseudonymSettings();
            Deidentify = deid is { Enabled: true };
            RetainLongitudinalTemporal = deid?.RetainLongitudinalTemporal ?? false;
            RetainPatientCharacteristics = deid?.RetainPatientCharacteristics ?? false;
            CleanDescriptors = deid?.CleanDescriptors ?? false;
            PseudonymMethod = pseudonym.Method;
            PseudonymPattern = pseudonym.EffectivePattern;
            PseudonymPrefix = pseudonym.EffectivePrefix;
            KeepMapping = deid?.KeepMapping ?? false;
        }
    }

    public Task OnGetAsync(string p) => LoadAsync(p, showStored: true);

    public async Task<IActionResult> OnPostSaveAsync(string p)
    {
        await LoadAsync(p);
        return await SubmitAsync(async () =>
        {
            await projects.UpdateAsync(Caller, p, Name?.Trim() ?? "", Description ?? "", Public, Aborted);
            return WebPaths.Settings(p);
        }, "Settings saved.");
    }

    /// <summary>
    /// Saves de-identification as the form shows it. Off keeps the key and the pseudonyms, so that switching
    /// back on finds the same; unticking "keep the mapping" deletes the kept originals.
    /// </summary>
    public async Task<IActionResult> OnPostDeidentificationAsync(string p)
    {
        await LoadAsync(p);
        // The general form shows what is stored; this form what was sent.
        (Name, Description, Public) = (Access.Project.Name, Access.Project.Description, Access.Project.IsPublic);
        return await SubmitAsync(async () =>
        {
            var method = PseudonymMethod.Trim().ToLowerInvariant();
            var pseudonym = new PseudonymSettings
            {
                Method = method,
                Pattern = method == PseudonymSettings.Counter && !string.IsNullOrWhiteSpace(PseudonymPattern) ? PseudonymPattern.Trim() : null,
                Prefix = method == PseudonymSettings.Hmac ? PseudonymPrefix?.Trim() ?? "" : null,
            };
            await projects.UpdateAsync(Caller, p, null, null, null, Aborted, current => current with
            {
                Deidentification = Deidentify
                    ? (current.Deidentification ?? new DeidentificationSettings()) with
                    {
                        Enabled = true,
                        RetainLongitudinalTemporal = RetainLongitudinalTemporal,
                        RetainPatientCharacteristics = RetainPatientCharacteristics,
                        CleanDescriptors = CleanDescriptors,
                        Pseudonym = pseudonym,
                        KeepMapping = KeepMapping,
                    }
                    : current.Deidentification is { } off ? off with { Enabled = false, KeepMapping = off.KeepMapping && KeepMapping } : null,
            });
            return WebPaths.Settings(p);
        }, Deidentify ? "De-identification settings saved." : "De-identification is off.");
    }

    public async Task<IActionResult> OnPostSchemaAsync(string p)
    {
        await LoadAsync(p, showStored: true);
        Schemas[SchemaType] = Schema ?? "";
        var label = SchemaType.ToString().ToLowerInvariant();
        return await SubmitAsync(async () =>
        {
            JsonElement schema;
            try
            {
                schema = string.IsNullOrWhiteSpace(Schema) ? JsonDocument.Parse("null").RootElement : JsonDocument.Parse(Schema).RootElement;
            }
            catch (JsonException e)
            {
                throw TesseraException.Invalid($"The {label} schema is not valid JSON: {e.Message}");
            }
            await projects.SetSchemaAsync(Caller, p, SchemaType, schema, Aborted);
            return WebPaths.Settings(p);
        }, string.IsNullOrWhiteSpace(Schema) ? $"The {label} schema was removed." : $"The {label} schema was saved.");
    }

    public async Task<IActionResult> OnPostDeleteAsync(string p)
    {
        await LoadAsync(p, showStored: true);
        return await SubmitAsync(async () =>
        {
            if (Confirm?.Trim() != p)
            {
                throw TesseraException.Invalid($"To delete the project, type its ID ({p}) in the box.");
            }
            await projects.DeleteAsync(Caller, p, Aborted);
            return "/";
        }, $"Project {p} was deleted with all its data.");
    }
}
