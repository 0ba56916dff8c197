using Microsoft.Net.Http.Headers;

namespace Tessera.Server.Security;

/// <summary>
/// Headers that every response carries (docs/security.md): no type sniffing, no framing by other
/// sites, no referrer to other origins, and a content security policy — for pages, scripts and
/// styles from our own origin only; for everything else, nothing at all may load or run. A
/// response that sets its own policy (a stored file's download) keeps it.
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        + "font-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public const string DataPolicy = "default-src 'none'; frame-ancestors 'none'; sandbox";

    public static IApplicationBuilder UseTesseraSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var response = context.Response;
        response.OnStarting(() =>
        {
            var headers = response.Headers;
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
        return next(context);
    });
}
