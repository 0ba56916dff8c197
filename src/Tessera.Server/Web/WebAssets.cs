using Microsoft.Extensions.FileProviders;

namespace Tessera.Server.Web;

/// <summary>
/// Serves wwwroot from the assembly's embedded files: our CSS and scripts, and the npm packages
/// the build copied into wwwroot/lib. URLs with a <c>v</c> query (asp-append-version) are cached
/// for a year; others are revalidated.
/// </summary>
public static class WebAssets
{
    public static IFileProvider Files { get; } = new ManifestEmbeddedFileProvider(typeof(WebAssets).Assembly, "wwwroot");

    public static WebApplication UseTesseraWebAssets(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Environment.WebRootFileProvider = Files;
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            OnPrepareResponse = context =>
                context.Context.Response.Headers.CacheControl = context.Context.Request.Query.ContainsKey("v")
                    ? "public, max-age=31536000, immutable"
                    : "no-cache",
        });
        return app;
    }

    /// <summary>The web interface's own files (our CSS and scripts, the npm packages): not worth a log line each.</summary>
    internal static bool IsStaticPath(PathString path) =>
        path.StartsWithSegments("/css") || path.StartsWithSegments("/js") || path.StartsWithSegments("/lib") || path.StartsWithSegments("/favicon.ico");

    /// <summary>Machine endpoints (answer JSON); everything else is the web interface (answers HTML).</summary>
    internal static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/dicom-web") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/health")
        || path.StartsWithSegments("/iiif") || path.StartsWithSegments("/dzi");
}
