using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Data;
using Tessera.Pipelines.Tools;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

/// <summary>The tool registry: every version the caller may see; admins register site-wide tools, project owners their project's; both deprecate theirs.</summary>
[Access(AccessRule.Authenticated)]
public sealed class ToolsModel(ToolService tools) : TesseraPageModel
{
    public IReadOnlyList<(Tool Tool, string? Project)> Tools { get; private set; } = [];

    [BindProperty] public string? Descriptor { get; set; }
    [BindProperty] public string? Project { get; set; }
    [BindProperty] public string? Key { get; set; }
    [BindProperty] public string? ToolProject { get; set; }
    [BindProperty] public bool Deprecate { get; set; }
    [BindProperty] public string? Note { get; set; }

    private async Task LoadAsync()
    {
        Title = "Tools";
        Crumbs.Add(new Crumb("Tools"));
        Tools = await tools.ListAsync(Caller, null, includeDeprecated: true, Aborted);
    }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostRegisterAsync(IFormFile? file)
    {
        await LoadAsync();
        string? registered = null;
        var result = await SubmitAsync(async () =>
        {
            var text = Descriptor;
            if (file is { Length: > 0 })
            {
                using var reader = new StreamReader(file.OpenReadStream());
                text = await reader.ReadToEndAsync(Aborted);
            }
            if (string.IsNullOrWhiteSpace(text))
                throw Archive.TesseraException.Invalid("Paste a Boutiques descriptor (JSON) or choose its file.");
            var tool = await tools.RegisterAsync(Caller, text, string.IsNullOrWhiteSpace(Project) ? null : Project.Trim(), Aborted);
            registered = $"{tool.Name}@{tool.Version}";
            return "/tools";
        }, "The tool was registered.");
        if (registered is not null)
            Notice = $"{registered} was registered.";
        return result;
    }

    public async Task<IActionResult> OnPostDeprecateAsync()
    {
        await LoadAsync();
        return await SubmitAsync(async () =>
        {
            await tools.DeprecateAsync(Caller, Key ?? "", string.IsNullOrEmpty(ToolProject) ? null : ToolProject, Deprecate, Note, Aborted);
            return "/tools";
        }, Deprecate ? $"{Key} is deprecated: new runs are refused." : $"{Key} may be run again.");
    }
}
