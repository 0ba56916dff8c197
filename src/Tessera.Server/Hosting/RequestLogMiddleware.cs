using System.Diagnostics;
using Tessera.Server.Auth;
using Tessera.Server.Web;

namespace Tessera.Server.Hosting;

/// <summary>
/// One log line per request, once it has ended: method, path (never the query, which may carry a token), status,
/// time, caller and address. The web interface's static files and health probes are logged at Debug only.
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var path = context.Request.PathBase.Add(context.Request.Path).Value ?? "/";
            var quiet = WebAssets.IsStaticPath(context.Request.Path) || path.StartsWith("/health", StringComparison.Ordinal);
            var level = quiet ? LogLevel.Debug : LogLevel.Information;
            if (logger.IsEnabled(level))
            {
                var caller = context.GetCaller().Username ?? "anonymous";
                var how = context.RequestAborted.IsCancellationRequested ? " (aborted by the client)" : "";
                var milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                var address = context.Connection.RemoteIpAddress?.ToString() ?? "socket";
                Log(level, context.Request.Method, path, context.Response.StatusCode, milliseconds, caller, address, how);
            }
        }
    }

    [LoggerMessage(EventId = 1001, Message = "{Method} {Path} → {Status} in {Milliseconds:0} ms ({Caller}, {Address}){How}")]
    private partial void Log(LogLevel level, string method, string path, int status, double milliseconds, string caller, string address, string how);
}
