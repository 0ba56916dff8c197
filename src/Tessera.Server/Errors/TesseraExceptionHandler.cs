using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;

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
        var (status, title, detail, errors) = exception switch
        {
            TesseraException t => (StatusOf(t.Kind), TitleOf(t.Kind), t.Message, t.Details),
            BadHttpRequestException b => (b.StatusCode, b.StatusCode == 413 ? "Request too large" : "Bad request", b.Message, []),
            _ => (500, "Internal error", "The server failed to process the request; the error was logged.", (IReadOnlyList<string>)[]),
        };
        if (status == 500)
        {
            LogUnhandled(exception, context.Request.Method, context.Request.Path);
        }
        if (status == 401)
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Tessera\", Bearer";
        }
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (errors.Count > 0)
        {
            problem.Extensions["errors"] = errors;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context, ProblemDetails = problem, Exception = exception,
        });
    }

    private static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => 400,
        ErrorKind.Unauthenticated => 401,
        ErrorKind.Forbidden => 403,
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.TooLarge => 413,
        _ => 500,
    };

    private static string TitleOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => "Invalid request",
        ErrorKind.Unauthenticated => "Authentication required",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.TooLarge => "Request too large",
        _ => "Error",
    };

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string method, string path);
}
