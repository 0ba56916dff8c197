using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Uploads;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>
/// The tus 1.0 resumable-upload protocol (core, creation, creation-with-upload, termination,
/// checksum with sha256, expiration) at <c>/api/uploads</c>, so that tus-js-client and other tus
/// clients upload into the archive. The headers are tus's; the work is <see cref="UploadService"/>'s.
/// </summary>
public static class TusEndpoints
{
    public const string Version = "1.0.0";
    public const string OffsetContentType = "application/offset+octet-stream";
    private const string Extensions = "creation,creation-with-upload,termination,checksum,expiration";

    public static IEndpointRouteBuilder MapTusEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/uploads").WithTags("Uploads").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // Every answer, errors included, names the protocol version (headers set now would be cleared by the error handler).
            http.Response.OnStarting(() =>
            {
                http.Response.Headers["Tus-Resumable"] = Version;
                http.Response.Headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            if (!HttpMethods.IsOptions(http.Request.Method) && http.Request.Headers["Tus-Resumable"] != Version)
            {
                http.Response.Headers["Tus-Version"] = Version;
                return Results.Problem(statusCode: 412, title: "Unsupported tus version",
                    detail: $"This server speaks tus {Version}; send the header Tus-Resumable: {Version}.");
            }
            return await next(context);
        });
        group.MapMethods("/", [HttpMethods.Options], Options).WithAccess(AccessRule.Public);
        group.MapMethods("/{id:guid}", [HttpMethods.Options], Options).WithAccess(AccessRule.Public);
        group.MapPost("/", Create).WithAccess(AccessRule.Authenticated);
        group.MapMethods("/{id:guid}", [HttpMethods.Head], Head).WithAccess(AccessRule.Authenticated);
        group.MapPatch("/{id:guid}", Append).WithAccess(AccessRule.Authenticated);
        group.MapDelete("/{id:guid}", Terminate).WithAccess(AccessRule.Authenticated);
        return app;
    }

    private static IResult Options(HttpContext context, IOptions<ServerOptions> options)
    {
        var headers = context.Response.Headers;
        headers["Tus-Version"] = Version;
        headers["Tus-Extension"] = Extensions;
        headers["Tus-Max-Size"] = options.Value.MaxUploadBytes.ToString(CultureInfo.InvariantCulture);
        headers["Tus-Checksum-Algorithm"] = "sha256";
        return Results.NoContent();
    }

    private static async Task<IResult> Create(HttpContext context, UploadService uploads, IOptions<ServerOptions> options)
    {
        var request = context.Request;
        if (request.Headers.ContainsKey("Upload-Defer-Length"))
        {
            throw TesseraException.Invalid("This server needs the Upload-Length when an upload is created (no creation-defer-length).");
        }
        var length = ParseLong(request.Headers["Upload-Length"], "Upload-Length");
        var max = options.Value.MaxUploadBytes;
        if (length > max)
        {
            throw TesseraException.TooLarge($"The upload is {length} bytes; this server takes at most {max} (Tus-Max-Size).");
        }
        string? rawMetadata = request.Headers["Upload-Metadata"];
        var metadata = ParseMetadata(rawMetadata);
        var target = TargetOf(metadata);
        var (upload, access) = await uploads.CreateAsync(context.GetCaller(), target, length, rawMetadata, context.RequestAborted);
        context.SetProjectAccess(access);
        context.Response.Headers.Location = $"/api/uploads/{upload.Id:N}";
        if (IsOffsetBody(request) && upload.Length > 0)
        {
            upload = await AppendBodyAsync(context, uploads, upload.Id, 0);
        }
        SetState(context.Response, upload);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    private static async Task<IResult> Head(HttpContext context, UploadService uploads, Guid id)
    {
        var upload = await uploads.GetAsync(context.GetCaller(), id, context.RequestAborted);
        var headers = context.Response.Headers;
        headers["Upload-Length"] = upload.Length.ToString(CultureInfo.InvariantCulture);
        if (upload.Metadata is not null)
        {
            headers["Upload-Metadata"] = upload.Metadata;
        }
        SetState(context.Response, upload);
        return Results.Ok();
    }

    private static async Task<IResult> Append(HttpContext context, UploadService uploads, Guid id)
    {
        if (!IsOffsetBody(context.Request))
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type",
                detail: $"A PATCH of an upload carries Content-Type: {OffsetContentType}.");
        }
        var offset = ParseLong(context.Request.Headers["Upload-Offset"], "Upload-Offset");
        var upload = await AppendBodyAsync(context, uploads, id, offset);
        SetState(context.Response, upload);
        return Results.NoContent();
    }

    private static async Task<Upload> AppendBodyAsync(HttpContext context, UploadService uploads, Guid id, long offset)
    {
        var checksum = ParseChecksum(context.Request.Headers["Upload-Checksum"]);
        // The service refuses (whole) a body longer than what is left of the upload; Kestrel's
        // general limit would instead cut it off midway.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }
        var (upload, access) = await uploads.AppendAsync(context.GetCaller(), id, offset, context.Request.Body, checksum, context.RequestAborted);
        context.SetProjectAccess(access);
        return upload;
    }

    private static async Task<IResult> Terminate(HttpContext context, UploadService uploads, Guid id)
    {
        context.SetAuditProject(await uploads.DeleteAsync(context.GetCaller(), id, context.RequestAborted));
        return Results.NoContent();
    }

    private static void SetState(HttpResponse response, Upload upload)
    {
        response.Headers["Upload-Offset"] = upload.Offset.ToString(CultureInfo.InvariantCulture);
        response.Headers["Upload-Expires"] = upload.ExpiresAt.ToString("R", CultureInfo.InvariantCulture);
        if (upload.FileId is not null)
        {
            response.Headers["Tessera-File-Id"] = upload.FileId.Value.ToString();
        }
    }

    private static bool IsOffsetBody(HttpRequest request) =>
        string.Equals(request.ContentType, OffsetContentType, StringComparison.OrdinalIgnoreCase);

    private static long ParseLong(string? value, string header) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw TesseraException.Invalid($"The {header} header must be a non-negative whole number.");

    /// <summary>
    /// Upload-Checksum: <c>sha256 &lt;base64 digest&gt;</c>; the only algorithm offered. As the tus
    /// checksum extension says, an algorithm not supported is a 400; a sha256 digest that cannot be
    /// read cannot match the chunk, so it is a 460 Checksum Mismatch, and nothing of the chunk is read.
    /// </summary>
    private static byte[]? ParseChecksum(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (!string.Equals(parts[0], "sha256", StringComparison.OrdinalIgnoreCase))
        {
            throw TesseraException.Invalid("Upload-Checksum must be 'sha256 <base64 digest>'; sha256 is the only algorithm supported.");
        }
        try
        {
            var digest = parts.Length == 2 ? Convert.FromBase64String(parts[1]) : [];
            return digest.Length == 32 ? digest : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ChunkChecksumException("The Upload-Checksum digest is not a base64 SHA-256 (32 bytes); the chunk was not taken.");
        }
    }

    /// <summary>Upload-Metadata: comma-separated pairs of a key and its base64-encoded value (which may be absent).</summary>
    internal static Dictionary<string, string> ParseMetadata(string? header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(header))
        {
            return result;
        }
        foreach (var pair in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(' ', 2, StringSplitOptions.TrimEntries);
            string value;
            try
            {
                value = parts.Length == 2 ? Encoding.UTF8.GetString(Convert.FromBase64String(parts[1])) : "";
            }
            catch (FormatException)
            {
                throw TesseraException.Invalid($"The Upload-Metadata value of '{parts[0]}' is not base64.");
            }
            if (!result.TryAdd(parts[0], value))
            {
                throw TesseraException.Invalid($"The Upload-Metadata key '{parts[0]}' appears twice.");
            }
        }
        return result;
    }

    /// <summary>
    /// The metadata names the target: <c>project</c> (required), <c>subject</c>, <c>session</c>,
    /// <c>scan</c>, <c>resource</c> (default FILES) and <c>path</c> inside the resource (default:
    /// <c>filename</c>, as tus clients send it); <c>filetype</c> is the media type.
    /// </summary>
    private static UploadTarget TargetOf(Dictionary<string, string> metadata)
    {
        string? Get(string key) => metadata.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
        var project = Get("project")
            ?? throw TesseraException.Invalid("The Upload-Metadata must name the 'project' (and optionally 'subject', 'session', 'scan', 'resource', 'path').");
        var path = Get("path") ?? Get("relativePath") ?? Get("filename")
            ?? throw TesseraException.Invalid("The Upload-Metadata must name the file: 'path' (inside the resource) or 'filename'.");
        return new UploadTarget(
            project, new FileOwner(Get("subject"), Get("session"), Get("scan")), Get("resource") ?? "FILES", path, Get("filetype"));
    }
}
