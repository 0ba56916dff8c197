using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Projects;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

/// <summary>The projects the visitor may read: their own and public ones (all of them for an admin).</summary>
[Access(AccessRule.Public)]
public sealed class IndexModel(ProjectService projects, IOptions<AccessOptions> access) : TesseraPageModel
{
    public IReadOnlyList<(Project Project, ProjectRole Role)> Projects { get; private set; } = [];

    public bool CanCreate => Caller.IsAuthenticated && (Caller.IsAdmin || access.Value.ProjectCreation == ProjectCreation.Anyone);

    public async Task OnGetAsync()
    {
        Title = "Projects";
        Projects = (await projects.ListAsync(Caller, new Paging(0, Paging.MaximumLimit), Aborted)).Items;
    }
}
