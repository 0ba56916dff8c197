using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Tessera.Server.Security;

/// <summary>
/// Headers that every response carries (docs/security.md): no type sniffing, no framing by other
/// sites, no referrer to other origins, and a content security policy — for pages, scripts and
/// styles from our own origin only; for everything else, nothing at all may load or run. A
/// response that sets its own policy (a stored file's download) keeps it. A response to a request
/// that came over HTTPS carries Strict-Transport-Security too (<see cref="StrictTransportOptions"/>).
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        + "font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    public static IApplicationBuilder UseTesseraSecurityHeaders(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var strict = app.ApplicationServices.GetRequiredService<IOptionsMonitor<StrictTransportOptions>>();
        return app.Use((context, next) => Apply(context, next, strict.CurrentValue));
    }

    private static Task Apply(HttpContext context, Func<Task> next, StrictTransportOptions strict)
    {
        var response = context.Response;
        // RFC 6797 8.1: browsers ignore the header for IP literals; "localhost" is left out so that one HTTPS
        // trial does not hold every other local development site to HTTPS for a year.
        var hsts = strict.Enabled && context.Request.IsHttps && !context.Request.Host.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            ? $"max-age={(long)strict.MaxAge.TotalSeconds}{(strict.IncludeSubDomains ? "; includeSubDomains" : "")}"
            : null;
        response.OnStarting(() =>
        {
            var headers = response.Headers;
            if (hsts is not null)
                headers.StrictTransportSecurity = hsts;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
            {
                var html = response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
                headers.ContentSecurityPolicy = html ? PagePolicy : DataPolicy;
            }
            return Task.CompletedTask;
        });
        return next();
    }
}
