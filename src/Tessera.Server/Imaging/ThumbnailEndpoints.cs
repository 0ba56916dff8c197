using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Hierarchy;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Server.Api;
using Tessera.Server.Auth;

namespace Tessera.Server.Imaging;

/// <summary>Thumbnails of sessions and scans (JPEG, fitted into 256 x 256), as the web interface's tables show them.</summary>
internal static class ThumbnailEndpoints
{
    public static IEndpointRouteBuilder MapThumbnailEndpoints(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/api/projects/{p}/subjects/{s}/sessions/{e}");
        session.MapGet("/thumbnail", SessionThumbnail).WithAccess(AccessRule.ProjectRead);
        session.MapGet("/scans/{n}/thumbnail", ScanThumbnail).WithAccess(AccessRule.ProjectRead);
        return app;
    }

    private static async Task SessionThumbnail(HttpContext context, string p, string s, string e, HierarchyService hierarchy, ThumbnailService thumbnails,
        IOptions<ImagingOptions> options)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var session = await hierarchy.GetSessionAsync(access, s, e, context.RequestAborted);
        await WriteAsync(context, access, await thumbnails.ForSessionAsync(access, session.Id, context.RequestAborted), $"Session '{e}'", options.Value);
    }

    private static async Task ScanThumbnail(HttpContext context, string p, string s, string e, string n, HierarchyService hierarchy, ThumbnailService thumbnails,
        IOptions<ImagingOptions> options)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var scan = await hierarchy.GetScanAsync(access, s, e, n, context.RequestAborted);
        await WriteAsync(context, access, await thumbnails.ForScanAsync(access, scan.Id, context.RequestAborted), $"Scan '{n}'", options.Value);
    }

    private static async Task WriteAsync(HttpContext context, ProjectAccess access, Thumbnail? thumbnail, string what, ImagingOptions options)
    {
        if (thumbnail is null)
            throw TesseraException.NotFound($"{what} has no image to show; its thumbnail");
        var etag = $"\"{thumbnail.Key[..32]}\"";
        context.Response.Headers.ETag = etag;
        // Short: the thumbnail changes when the scan's images do, under the same URL.
        context.Response.Headers.CacheControl = $"{(access.Project.IsPublic ? "public" : "private")}, max-age={Math.Min(options.CacheSeconds, 300)}";
        if (context.Request.Headers.IfNoneMatch.Contains(etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.ContentType = "image/jpeg";
        context.Response.ContentLength = thumbnail.Jpeg.Length;
        await context.Response.Body.WriteAsync(thumbnail.Jpeg, context.RequestAborted);
    }
}
