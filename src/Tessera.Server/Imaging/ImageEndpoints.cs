using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Imaging.Tiles;
using Tessera.Server.Auth;

namespace Tessera.Server.Imaging;

/// <summary>
/// IIIF Image API 3.0 (<c>/iiif/3/{image}/…</c>) and Deep Zoom (<c>/dzi/{image}…</c>) over every image file the
/// caller may read; the image id is the file's id. Every answer carries CORS, an ETag (content hash and request)
/// and cache headers; a matching If-None-Match gets 304. Rendering takes a decode slot (<see cref="DecodeLimiter"/>:
/// 503 with Retry-After when none comes free in time); a stored tile sent as it is takes none.
/// </summary>
internal static class ImageEndpoints
{
    private const string Profile = "http://iiif.io/api/image/3/level2.json";

    public static IEndpointRouteBuilder MapImageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/iiif/3/{image:guid}", BaseUri).WithAccess(AccessRule.ReadableProjects);
        app.MapGet("/iiif/3/{image:guid}/info.json", Info).WithAccess(AccessRule.ReadableProjects);
        app.MapGet("/iiif/3/{image:guid}/{region}/{size}/{rotation}/{quality}", Image).WithAccess(AccessRule.ReadableProjects);
        app.MapGet("/dzi/{image:guid}.dzi", Descriptor).WithAccess(AccessRule.ReadableProjects);
        app.MapGet("/dzi/{image:guid}_files/{level:int}/{column:int}_{row:int}.jpeg", Tile).WithAccess(AccessRule.ReadableProjects);
        return app;
    }

    /// <summary>The image's base URI redirects to its info.json (IIIF §2.2), once the caller may see it.</summary>
    private static async Task BaseUri(HttpContext context, Guid image, ImageCatalog catalog)
    {
        await catalog.OpenAsync(image, context.GetCaller(), context.RequestAborted, RenderQuery.Axis(context.Request.Query));
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = $"{context.Request.PathBase}/iiif/3/{image}/info.json{context.Request.QueryString}";
    }

    private static async Task Info(HttpContext context, Guid image, ImageCatalog catalog, IOptions<ImagingOptions> options)
    {
        if (await OpenAsync(context, image, catalog, options.Value) is not { } entry)
            return;
        var wantsLd = context.Request.Headers.Accept.Any(a => a?.Contains("application/ld+json", StringComparison.OrdinalIgnoreCase) == true);
        context.Response.ContentType = wantsLd ? $"application/ld+json;profile=\"{IiifInfo.Context}\"" : "application/json";
        context.Response.Headers.Link = $"<{Profile}>;rel=\"profile\"";
        var id = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/iiif/3/{image}";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions { Indented = true });
        IiifInfo.Write(json, id, entry.Source.Description, entry.Pyramid is not { } pyramid ? null : extension =>
        {
            extension.WriteStartObject("pyramid");
            extension.WriteString("state", pyramid.State);
            extension.WriteNumber("progress", pyramid.Progress);
            if (pyramid.Error is { } error)
                extension.WriteString("error", error);
            extension.WriteEndObject();
        });
        await json.FlushAsync(context.RequestAborted);
    }

    private static async Task Image(HttpContext context, Guid image, string region, string size, string rotation, string quality,
        ImageCatalog catalog, DecodeLimiter limiter, IOptions<ImagingOptions> options)
    {
        if (await OpenAsync(context, image, catalog, options.Value) is not { } entry)
            return;
        var description = entry.Source.Description;
        var request = IiifRequest.Parse(region, size, rotation, quality, description.Width, description.Height);
        var (plane, render) = RenderQuery.Parse(context.Request.Query, description);
        var encoded = ImageRenderer.StoredTile(entry.Source, request, plane, render)
            ?? await limiter.RunAsync(() => ImageRenderer.Render(entry.Source, request, plane, render, options.Value.JpegQuality), context.RequestAborted);
        context.Response.Headers.Link = $"<{Profile}>;rel=\"profile\"";
        await WriteAsync(context, encoded);
    }

    private static async Task Descriptor(HttpContext context, Guid image, ImageCatalog catalog, IOptions<ImagingOptions> options)
    {
        if (await OpenAsync(context, image, catalog, options.Value) is not { } entry)
            return;
        var layout = new DeepZoom(entry.Source.Description.Width, entry.Source.Description.Height);
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(layout.Descriptor("jpeg"), context.RequestAborted);
    }

    private static async Task Tile(HttpContext context, Guid image, int level, int column, int row, ImageCatalog catalog, DecodeLimiter limiter,
        IOptions<ImagingOptions> options)
    {
        if (await OpenAsync(context, image, catalog, options.Value) is not { } entry)
            return;
        var description = entry.Source.Description;
        var layout = new DeepZoom(description.Width, description.Height);
        var tile = layout.Tile(level, column, row)
            ?? throw Archive.TesseraException.NotFound($"Deep Zoom tile {level}/{column}_{row} (levels 0 to {layout.MaxLevel})");
        var (plane, render) = RenderQuery.Parse(context.Request.Query, description);
        var encoded = await limiter.RunAsync(() => ImageRenderer.Encode(
            ImageRenderer.Region(entry.Source, layout.ToFullResolution(level, tile), tile.Width, tile.Height, plane, render), "jpg", options.Value.JpegQuality),
            context.RequestAborted);
        await WriteAsync(context, encoded);
    }

    private static async Task WriteAsync(HttpContext context, EncodedImage encoded)
    {
        context.Response.ContentType = encoded.MediaType;
        context.Response.ContentLength = encoded.Bytes.Length;
        if (encoded.PassedThrough)
            context.Response.Headers["X-Tessera-Tile"] = "stored";
        await context.Response.Body.WriteAsync(encoded.Bytes, context.RequestAborted);
    }

    /// <summary>The image the caller may see (404 otherwise), with its response headers set; null when 304 was the answer.</summary>
    private static async Task<ImageEntry?> OpenAsync(HttpContext context, Guid image, ImageCatalog catalog, ImagingOptions options)
    {
        var entry = await catalog.OpenAsync(image, context.GetCaller(), context.RequestAborted, RenderQuery.Axis(context.Request.Query));
        return NotModified(context, entry, options) ? null : entry;
    }

    /// <summary>Sets CORS, ETag and caching headers; answers 304 when the client already holds this answer.</summary>
    private static bool NotModified(HttpContext context, ImageEntry entry, ImagingOptions options)
    {
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlExposeHeaders = "ETag, Link";
        // While a pyramid is built the answers are provisional (shown from the source; info.json's levels change
        // when it is ready): revalidated on every use, and tagged with the pyramid's state.
        var provisional = entry.Pyramid is { Waiting: true } pyramid ? $"|{pyramid.State}|{pyramid.Progress}" : "";
        var identity = $"{entry.ContentKey}|{context.Request.Path}|{context.Request.QueryString}|{context.Request.Headers.Accept}{provisional}";
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16))}\"";
        headers.ETag = etag;
        headers.CacheControl = $"{(entry.IsPublic ? "public" : "private")}, {(provisional.Length > 0 ? "no-cache" : $"max-age={options.CacheSeconds}")}";
        headers.Vary = "Accept, Authorization, Cookie";
        var sent = context.Request.Headers.IfNoneMatch;
        if (sent.Count > 0 && EntityTagHeaderValue.TryParseList(sent, out var tags) && tags.Any(t => t.Tag == etag || t.Equals(EntityTagHeaderValue.Any)))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }
        return false;
    }
}
