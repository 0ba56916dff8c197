using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.ProjectRead)]
public sealed class SubjectModel(AccessService accessService, HierarchyService hierarchy) : TesseraPageModel
{
    private const int PageSize = 100;

    [BindProperty(SupportsGet = true, Name = "page")]
    public int PageNumber { get; set; } = 1;

    public string Project { get; private set; } = "";

    public Subject Subject { get; private set; } = null!;

    public Page<Session> Sessions { get; private set; } = null!;

    public CustomFieldColumns Columns { get; private set; } = null!;

    public Pager Pager { get; private set; } = null!;

    public async Task OnGetAsync(string p, string s)
    {
        var access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Project = p;
        Subject = await hierarchy.GetSubjectAsync(access, s, Aborted);
        Title = $"Subject {s}";
        AddProjectCrumbs(p, s);
        PageNumber = Math.Max(1, PageNumber);
        Sessions = await hierarchy.ListSessionsAsync(access, s, new Paging((PageNumber - 1) * PageSize, PageSize), Aborted);
        Columns = CustomFieldColumns.FromSchema(access.Project.SubjectSchema);
        Pager = new Pager(PageNumber, PageSize, Sessions.Total, Request.Query);
    }
}
