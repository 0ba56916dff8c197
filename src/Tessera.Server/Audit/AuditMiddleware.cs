using Microsoft.AspNetCore.Routing;
using Tessera.Archive.Audit;
using Tessera.Archive.Data;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.Audit;

/// <summary>
/// Records every API and DICOMweb write (any method but GET, HEAD and OPTIONS) and every data read in a
/// private project, with its final status, once the response has completed. Entries are written
/// in their own scope, so a request whose database work failed cannot take its entry down with it.
/// </summary>
public sealed partial class AuditMiddleware(RequestDelegate next, IServiceScopeFactory scopes, TimeProvider clock, ILogger<AuditMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Captured now: the exception handler clears the endpoint and route values later.
        if (context.GetEndpoint() is RouteEndpoint endpoint
            && (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal) || context.Request.Path.StartsWithSegments("/dicom-web", StringComparison.Ordinal)))
        {
            var project = context.GetRouteValue("p") as string;
            context.Response.OnCompleted(() => RecordAsync(context, endpoint, project));
        }
        return next(context);
    }

    private static bool ShouldRecord(HttpContext context, RouteEndpoint endpoint)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method))
        {
            return true;
        }
        return endpoint.Metadata.GetMetadata<AuditedReadMetadata>() is not null && context.ReadPrivateData();
    }

    private async Task RecordAsync(HttpContext context, RouteEndpoint endpoint, string? project)
    {
        if (!ShouldRecord(context, endpoint))
        {
            return;
        }
        project ??= context.GetAuditProject();
        var entry = new AuditEntry
        {
            At = clock.GetUtcNow().UtcDateTime,
            Username = context.GetCaller().Username,
            Action = Truncate($"{context.Request.Method} {endpoint.RoutePattern.RawText}", 128),
            Project = project is { Length: <= 64 } ? project : null,
            Target = Truncate(context.Request.Path.Value ?? "", 2048),
            Status = context.RequestAborted.IsCancellationRequested ? 499 : context.Response.StatusCode,
            ClientAddress = context.Connection.RemoteIpAddress?.ToString(),
        };
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<AuditService>().RecordAsync(entry, CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogAuditFailed(e, entry.Action, entry.Target);
        }
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Could not record the audit entry for {Action} {Target}")]
    private partial void LogAuditFailed(Exception exception, string action, string target);
}
