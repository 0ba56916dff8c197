using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Projects;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>A project's name, description, visibility and custom-field schemas, and its deletion; for owners.</summary>
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
        if (showStored)
        {
            Name = Access.Project.Name;
            Description = Access.Project.Description;
            Public = Access.Project.IsPublic;
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
