using Microsoft.AspNetCore.Http.Features;

namespace Tessera.Server.Api;

/// <summary>
/// The file path that a <c>…/files/{*path}</c> route names, decoded exactly once. The route value
/// cannot be used as it is: Kestrel unescapes every escape of the path except <c>%2F</c>, so it
/// reads <c>a%2Fb</c> and <c>a%252Fb</c> alike as <c>a%2Fb</c>, and a client that escaped its
/// slashes had <c>%2F</c> stored in a name. The rule: the request's own segments are unescaped
/// once each, and <c>%2F</c> is a folder separator like '/'; the result is then checked as any
/// path is (<see cref="Archive.Files.FilePaths"/>), so <c>..%2F</c> is refused like <c>../</c>.
/// Listings escape each segment of a stored path, so their URLs name the same file again.
/// </summary>
public static class FilePathRoute
{
    public static string FilePath(this HttpContext context, string? routeValue)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(routeValue))
        {
            return "";
        }
        // The route value keeps %2F escaped, so its '/' are the request's own: it ends with as many segments.
        var count = routeValue.Split('/').Length;
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var query = raw?.IndexOf('?', StringComparison.Ordinal) ?? -1;
        var target = query >= 0 ? raw![..query] : raw;
        var segments = target is { Length: > 0 } && target[0] == '/' ? target.Split('/') : [];
        if (segments.Length <= count)
        {
            // No raw target to read (or one rewritten shorter): only the separators are left to decode.
            return routeValue.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        }
        return string.Join('/', segments[^count..].Select(Uri.UnescapeDataString));
    }
}
