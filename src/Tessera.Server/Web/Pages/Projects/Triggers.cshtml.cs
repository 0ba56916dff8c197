using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Pipelines.Tools;
using Tessera.Pipelines.Triggers;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>The editor of a project's trigger rules: its readers see them and what they fired, its owners add, change and remove them.</summary>
[Access(AccessRule.ProjectRead)]
public sealed class TriggersModel(AccessService accessService, TriggerService triggers, ToolService tools) : TesseraPageModel
{
    public ProjectAccess Access { get; private set; } = null!;

    public IReadOnlyList<TriggerView> Rules { get; private set; } = [];

    public IReadOnlyList<string> ToolKeys { get; private set; } = [];

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Tool { get; set; }
    [BindProperty] public string Event { get; set; } = "session";
    [BindProperty] public int QuietSeconds { get; set; } = TriggerService.DefaultQuietSeconds;
    [BindProperty] public string? Glob { get; set; }
    [BindProperty] public string Level { get; set; } = "session";
    [BindProperty] public string? SessionType { get; set; }
    [BindProperty] public string? Fields { get; set; }
    [BindProperty] public string? Inputs { get; set; }
    [BindProperty] public bool Enabled { get; set; } = true;

    private async Task LoadAsync(string p)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Title = $"Trigger rules of {Access.Project.Name}";
        AddProjectCrumbs(p);
        Crumbs.Add(new Crumb("Triggers"));
        Rules = await triggers.ListAsync(Caller, p, Aborted);
        ToolKeys = (await tools.ListAsync(Caller, p, includeDeprecated: false, Aborted)).Select(t => $"{t.Tool.Name}@{t.Tool.Version}").ToList();
    }

    public async Task OnGetAsync(string p, string? edit)
    {
        await LoadAsync(p);
        if (Rules.FirstOrDefault(r => r.Rule.Name == edit) is { } rule)
        {
            // The form filled in with the rule, to change it.
            Name = rule.Rule.Name;
            Tool = rule.Tool;
            Event = rule.Rule.Event;
            QuietSeconds = rule.Rule.QuietSeconds;
            Glob = rule.Rule.FileGlob;
            Level = rule.Rule.Level;
            SessionType = rule.Rule.SessionType;
            Fields = rule.Rule.SessionFields;
            Inputs = rule.Rule.Inputs == "{}" ? null : rule.Rule.Inputs;
            Enabled = rule.Rule.Enabled;
        }
    }

    public async Task<IActionResult> OnPostSaveAsync(string p)
    {
        await LoadAsync(p);
        var name = Name?.Trim() ?? "";
        return await SubmitAsync(async () =>
        {
            await triggers.PutAsync(Caller, p, name, new TriggerRequest(Tool ?? "", Event, QuietSeconds, Glob, Level, SessionType,
                Json(Fields, "Fields"), Json(Inputs, "Inputs"), null, Enabled), Aborted);
            return WebPaths.Triggers(p);
        }, $"Rule {name} was saved.");
    }

    public async Task<IActionResult> OnPostDeleteAsync(string p)
    {
        await LoadAsync(p);
        var name = Name ?? "";
        return await SubmitAsync(async () =>
        {
            await triggers.DeleteAsync(Caller, p, name, Aborted);
            return WebPaths.Triggers(p);
        }, $"Rule {name} was removed.");
    }

    private static JsonElement? Json(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw Archive.TesseraException.Invalid($"{field} must be a JSON object, e.g. {{\"eye\": \"OD\"}}: {e.Message}");
        }
    }
}
