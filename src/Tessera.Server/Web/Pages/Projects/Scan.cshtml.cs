using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Projects;

[Access(AccessRule.ProjectRead)]
public sealed class ScanModel(AccessService accessService, HierarchyService hierarchy, FileService files) : TesseraPageModel
{
    public string Project { get; private set; } = "";

    public string OwnerPath { get; private set; } = "";

    public Scan Scan { get; private set; } = null!;

    public List<(ResourceSummary Resource, Page<StoredFile> Files)> Files { get; } = [];

    public CustomFieldColumns Columns { get; private set; } = null!;

    public async Task OnGetAsync(string p, string s, string e, string n)
    {
        var access = await accessService.RequireAsync(p, Caller, AccessLevel.Read, Aborted);
        Project = p;
        Scan = await hierarchy.GetScanAsync(access, s, e, n, Aborted);
        Title = $"Scan {n}";
        AddProjectCrumbs(p, s, e, n);
        var owner = new FileOwner(s, e, n);
        OwnerPath = owner.Path;
        foreach (var resource in await files.ListResourcesAsync(access, owner, Aborted))
        {
            Files.Add((resource, await files.ListFilesAsync(access, owner, resource.Label, new Paging(0, Paging.MaximumLimit), Aborted)));
        }
        Columns = CustomFieldColumns.FromSchema(access.Project.ScanSchema);
    }
}
