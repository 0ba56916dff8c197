using Tessera.Archive.Storage;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Admin;

/// <summary>Storage used per project, by the whole archive, and left on the disk.</summary>
[Access(AccessRule.Admin)]
public sealed class StorageModel(StorageReport report) : TesseraPageModel
{
    public SiteStorage Site { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        Title = "Storage";
        Crumbs.Add(new Crumb("Administration", "/admin"));
        Crumbs.Add(new Crumb("Storage"));
        Site = await report.ReadAsync(Aborted);
    }
}
