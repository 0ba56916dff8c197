using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Projects;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.Authenticated)]
public sealed class NewProjectModel(ProjectService projects) : TesseraPageModel
{
    [BindProperty]
    public string? Id { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? Description { get; set; }

    [BindProperty]
    public bool Public { get; set; }

    public void OnGet()
    {
        Title = "New project";
        Crumbs.Add(new Crumb("Projects", "/"));
        Crumbs.Add(new Crumb("New project"));
    }

    public async Task<IActionResult> OnPostAsync()
    {
        OnGet();
        return await SubmitAsync(
            async () => WebPaths.Project((await projects.CreateAsync(
                Caller, Id ?? "", string.IsNullOrWhiteSpace(Name) ? null : Name, Description, Public, Aborted)).Slug),
            "Project created.");
    }
}
