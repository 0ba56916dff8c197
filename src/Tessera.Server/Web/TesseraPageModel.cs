using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Archive.Access;
using Tessera.Server.Auth;

namespace Tessera.Server.Web;

/// <summary>One step of a page's breadcrumb trail; the last one is the page itself.</summary>
public sealed record Crumb(string Label, string? Url = null);

/// <summary>What every page knows: who is asking, and where the page sits.</summary>
public abstract class TesseraPageModel : PageModel
{
    public Caller Caller => HttpContext.GetCaller();

    public List<Crumb> Crumbs { get; } = [];

    /// <summary>The page title; the layout appends the product name.</summary>
    public string Title { get; protected set; } = "Tessera";

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>Breadcrumbs down to a project, in the URL space that mirrors the API.</summary>
    protected void AddProjectCrumbs(string project, string? subject = null, string? session = null, string? scan = null)
    {
        Crumbs.Add(new Crumb("Projects", "/"));
        Crumbs.Add(new Crumb(project, WebPaths.Project(project)));
        if (subject is not null)
        {
            Crumbs.Add(new Crumb(subject, WebPaths.Subject(project, subject)));
        }
        if (session is not null)
        {
            Crumbs.Add(new Crumb(session, WebPaths.Session(project, subject!, session)));
        }
        if (scan is not null)
        {
            Crumbs.Add(new Crumb(scan, WebPaths.Scan(project, subject!, session!, scan)));
        }
    }
}
