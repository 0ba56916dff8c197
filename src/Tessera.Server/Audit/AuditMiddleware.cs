using Microsoft.AspNetCore.Routing;
using Tessera.Archive.Audit;
using Tessera.Archive.Data;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.Audit;

/// <summary>
/// Records every API and DICOMweb write (any method but GET, HEAD and OPTIONS) and every data read in a
/// private project, with its final status, once the response has completed. Entries go to the
/// <see cref="AuditWriter"/>, which commits them apart from the request's own work (a request whose
/// database work failed cannot take its entry down with it) and without holding up the connection.
/// </summary>
public sealed class AuditMiddleware(RequestDelegate next, AuditWriter writer, TimeProvider clock)
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
        return endpoint.Metadata.GetMetadata<AuditedReadMetadata>() is { } audited && (audited.Sensitive || context.ReadPrivateData());
    }

    private Task RecordAsync(HttpContext context, RouteEndpoint endpoint, string? project)
    {
        if (!ShouldRecord(context, endpoint))
        {
            return Task.CompletedTask;
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
        return writer.RecordAsync(entry, CancellationToken.None).AsTask();
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}
