using Microsoft.Net.Http.Headers;
using Tessera.Archive.Files;

namespace Tessera.Server.Security;

/// <summary>
/// How a stored file is served so that it can never act as one of our pages, whatever its bytes:
/// a download (<c>Content-Disposition: attachment</c>) unless its type is one a browser only
/// displays, and a sandboxing content security policy either way (scripts in it, if a browser ever
/// rendered it, would run in an opaque origin without our cookies).
/// </summary>
public static class StoredFileHeaders
{
    public const string Policy = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox";

    public static void Apply(HttpResponse response, string path, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(response);
        var disposition = new ContentDispositionHeaderValue(MediaTypes.IsSafeInline(mediaType) ? "inline" : "attachment");
        disposition.SetHttpFileName(Path.GetFileName(path));
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.ContentSecurityPolicy = Policy;
    }
}
