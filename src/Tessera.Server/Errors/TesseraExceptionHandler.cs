using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;
using Tessera.Archive.Uploads;
using Tessera.Server.Web;

namespace Tessera.Server.Errors;

/// <summary>
/// Maps exceptions to RFC 9457 problem details. Expected failures keep their message; anything
/// else is logged and answered with a generic 500 that shows no stack trace and no path.
/// </summary>
public sealed partial class TesseraExceptionHandler(IProblemDetailsService problems, ILogger<TesseraExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var context = httpContext;
        if (context.RequestAborted.IsCancellationRequested)
        {
            return true; // the client is gone; there is no one to answer
        }
        var status = ErrorStatus.Of(exception);
        if (status == 500)
        {
            LogUnhandled(exception, context.Request.Method, context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path);
        }
        // The middleware has already pointed the request at /error; the feature keeps where it was going.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path.Value ?? "/";
        if (!WebAssets.IsApiPath(path))
        {
            if (status == 401 && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(path));
                return true;
            }
            return false; // re-executed as the HTML error page
        }
        var (title, detail, errors) = exception switch
        {
            TesseraException t => (ErrorStatus.TitleOf(t.Kind), t.Message, t.Details),
            ChunkChecksumException c => (ErrorStatus.TitleOf(460), c.Message, []),
            BadHttpRequestException b => (b.StatusCode == 413 ? "Request too large" : "Bad request", b.Message, []),
            Tessera.Imaging.ImageException or Tessera.Imaging.Tiles.IiifException or Tessera.Imaging.Codecs.DecodeBusyException
                => (ErrorStatus.TitleOf(status), exception.Message, []),
            Tessera.Server.Imaging.PyramidPendingException p => (ErrorStatus.TitleOf(status), p.Status.Waiting
                ? $"{p.Message} (its pyramid is {p.Status.State}, {p.Status.Progress}% done)"
                : $"{p.Message}, but its pyramid could not be built: {p.Status.Error}", []),
            _ => ("Internal error", "The server failed to process the request; the error was logged.", (IReadOnlyList<string>)[]),
        };
        if (status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Tessera\", Bearer";
        }
        context.Response.StatusCode = status;
        if (exception is TesseraException { RetryAfter: { } retry })
            context.Response.Headers.RetryAfter = Math.Max(1, Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors.Count > 0)
        {
            problem.Extensions["errors"] = errors;
        }
        if (exception is Tessera.Imaging.ImageException { Kind: Tessera.Imaging.ImageErrorKind.NeedsPyramid })
            context.Response.Headers.RetryAfter = "5";
        if (exception is Tessera.Imaging.Codecs.DecodeBusyException busy)
            context.Response.Headers.RetryAfter = ((int)busy.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (exception is Tessera.Server.Imaging.PyramidPendingException pending)
        {
            problem.Extensions["pyramid"] = new { state = pending.Status.State, progress = pending.Status.Progress };
            if (pending.Status.Waiting)
                context.Response.Headers.RetryAfter = "5";
        }
        if (await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception }))
            return true;
        // The request's Accept names no JSON (a DICOMweb client asking for multipart, an image viewer): the problem
        // goes out as JSON all the same, never as the web interface's HTML error page.
        await TypedResults.Problem(problem).ExecuteAsync(context);
        return true;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}
