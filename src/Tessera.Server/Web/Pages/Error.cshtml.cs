using Microsoft.AspNetCore.Diagnostics;
using Tessera.Archive;
using Tessera.Server.Auth;
using Tessera.Server.Errors;

namespace Tessera.Server.Web.Pages;

/// <summary>
/// The HTML error page, re-executed for a failed page request or an empty error status. It shows
/// the archive's own message (written for users), never an exception's internals.
/// </summary>
[Access(AccessRule.Public)]
public sealed class ErrorModel : TesseraPageModel
{
    public int Status { get; private set; }

    public string Heading { get; private set; } = "";

    public string Message { get; private set; } = "";

    public string? OriginalPath { get; private set; }

    public void OnGet(int? status) => Show(status);

    public void OnPost(int? status) => Show(status);

    private void Show(int? status)
    {
        var failure = HttpContext.Features.Get<IExceptionHandlerPathFeature>();
        var reexecuted = HttpContext.Features.Get<IStatusCodeReExecuteFeature>();
        OriginalPath = failure?.Path ?? reexecuted?.OriginalPath;
        Status = failure is not null ? ErrorStatus.Of(failure.Error)
            : status is >= 400 and < 600 ? status.Value
            : Response.StatusCode >= 400 ? Response.StatusCode
            : StatusCodes.Status200OK; // visited directly: there is nothing to report
        Response.StatusCode = Status;
        Heading = ErrorStatus.TitleOf(Status);
        Title = Heading;
        Message = failure?.Error switch
        {
            TesseraException e => e.Message,
            null when Status == 404 => "There is no such page, or you may not see it.",
            null when Status == 200 => "There is no error to show.",
            _ when Status == 500 => "The server failed to process the request; the error was logged.",
            _ => "The request could not be completed.",
        };
    }
}
