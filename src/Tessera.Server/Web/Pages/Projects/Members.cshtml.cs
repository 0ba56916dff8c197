using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Projects;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

/// <summary>Who may do what on a project: everyone who can read it sees the list; owners change it.</summary>
[Access(AccessRule.ProjectRead)]
public sealed class MembersModel(AccessService accessService, MemberService members) : TesseraPageModel
{
    public static readonly ProjectRole[] Roles = [ProjectRole.Collaborator, ProjectRole.Member, ProjectRole.Owner];

    public ProjectAccess Access { get; private set; } = null!;

    public IReadOnlyList<(string Username, ProjectRole Role)> Members { get; private set; } = [];

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public ProjectRole Role { get; set; } = ProjectRole.Member;

    public static string Describe(ProjectRole role) => role switch
    {
        ProjectRole.Owner => "Owner: manages members and settings, may delete the project",
        ProjectRole.Member => "Member: reads and changes data, uploads",
        _ => "Collaborator: reads and downloads",
    };

    private async Task LoadAsync(string p)
    {
        Access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Members = await members.ListAsync(Caller, p, Aborted);
        Title = $"Members of {Access.Project.Name}";
        AddProjectCrumbs(p);
        Crumbs.Add(new Crumb("Members"));
    }

    public Task OnGetAsync(string p) => LoadAsync(p);

    /// <summary>Adds a member or changes a member's role (the add form and each row's role form).</summary>
    public async Task<IActionResult> OnPostSetAsync(string p)
    {
        await LoadAsync(p);
        var username = Username?.Trim() ?? "";
        return await SubmitAsync(async () =>
        {
            await members.SetAsync(Caller, p, username, Role, Aborted);
            return WebPaths.Members(p);
        }, $"{username} is now {Article(Role)} {Role.ToString().ToLowerInvariant()}.");
    }

    public async Task<IActionResult> OnPostRemoveAsync(string p)
    {
        await LoadAsync(p);
        return await SubmitAsync(async () =>
        {
            await members.RemoveAsync(Caller, p, Username ?? "", Aborted);
            return WebPaths.Members(p);
        }, $"{Username} was removed from the project.");
    }

    private static string Article(ProjectRole role) => role == ProjectRole.Owner ? "an" : "a";
}
