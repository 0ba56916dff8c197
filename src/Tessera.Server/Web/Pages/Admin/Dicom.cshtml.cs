using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Server.Auth;
using Tessera.Server.DicomNetwork;

namespace Tessera.Server.Web.Pages.Admin;

/// <summary>The DICOM node's AE table: remote AEs, what they may ask, where their stores go; add, replace, echo, remove.</summary>
[Access(AccessRule.Admin)]
public sealed class DicomModel(DicomNodeService nodes) : TesseraPageModel
{
    public IReadOnlyList<DicomNodeView> Nodes { get; private set; } = [];

    [BindProperty]
    public string? AeTitle { get; set; }

    [BindProperty]
    public string? Host { get; set; }

    [BindProperty]
    public int Port { get; set; } = 104;

    [BindProperty]
    public List<string> Allow { get; set; } = ["echo", "store"];

    [BindProperty]
    public string? Project { get; set; }

    [BindProperty]
    public bool Tls { get; set; }

    [BindProperty]
    public string? TlsServerName { get; set; }

    private async Task LoadAsync()
    {
        Title = "DICOM nodes";
        Crumbs.Add(new Crumb("Administration", "/admin"));
        Crumbs.Add(new Crumb("DICOM nodes"));
        Nodes = await nodes.ListAsync(Aborted);
    }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostSaveAsync()
    {
        await LoadAsync();
        var ae = AeTitle?.Trim() ?? "";
        return await SubmitAsync(async () =>
        {
            await nodes.PutAsync(ae, Host?.Trim(), Port, Allow, string.IsNullOrWhiteSpace(Project) ? null : Project.Trim(), new DicomNodeTransport(Tls, TlsServerName), Aborted);
            return "/admin/dicom";
        }, $"{ae} is in the AE table.");
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        await LoadAsync();
        var ae = AeTitle ?? "";
        return await SubmitAsync(async () =>
        {
            await nodes.DeleteAsync(ae, Aborted);
            return "/admin/dicom";
        }, $"{ae} was removed from the AE table.");
    }

    /// <summary>C-ECHO from the server: shows whether the node answers, and how fast.</summary>
    public async Task<IActionResult> OnPostEchoAsync()
    {
        await LoadAsync();
        var ae = AeTitle ?? "";
        var scu = HttpContext.RequestServices.GetRequiredService<DicomScuService>();
        Client.Contracts.DicomEchoResult? echo = null;
        if (!await TryAsync(async () => echo = await scu.EchoAsync(HttpContext.GetCaller(), ae, Aborted)))
            return Page();
        Notice = $"{echo!.AeTitle} answered the echo with {echo.Status} in {echo.Milliseconds:0} ms.";
        return LocalRedirect("/admin/dicom");
    }
}
