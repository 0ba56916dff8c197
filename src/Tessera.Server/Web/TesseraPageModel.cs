using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Server.Auth;
using Tessera.Server.Errors;

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

    /// <summary>Why the form just sent was refused; shown above the form (partial <c>_Error</c>).</summary>
    public string? Error { get; protected set; }

    /// <summary>What the last form did, carried across its redirect and shown once by the layout.</summary>
    [TempData]
    public string? Notice { get; set; }

    /// <summary>
    /// Runs a form's action. Done: redirect to the URL it returns with <paramref name="notice"/>
    /// (post, redirect, get). Refused by a rule: the page again, with the reason and its status.
    /// The page's data must be loaded before, so that it can be shown again.
    /// </summary>
    protected async Task<IActionResult> SubmitAsync(Func<Task<string>> action, string notice)
    {
        ArgumentNullException.ThrowIfNull(action);
        string? next = null;
        if (!await TryAsync(async () => next = await action()))
        {
            return Page();
        }
        Notice = notice;
        return LocalRedirect(next!);
    }

    /// <summary>Runs a form's action; when a rule refuses it, sets <see cref="Error"/> and the status, and returns false.</summary>
    protected async Task<bool> TryAsync(Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            await action();
            return true;
        }
        catch (TesseraException e) when (e.Kind is ErrorKind.Invalid or ErrorKind.Conflict or ErrorKind.NotFound or ErrorKind.Forbidden)
        {
            Error = e.Details.Count == 0 ? e.Message : $"{e.Message} {string.Join(" ", e.Details)}";
            Response.StatusCode = ErrorStatus.Of(e);
            return false;
        }
    }

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
