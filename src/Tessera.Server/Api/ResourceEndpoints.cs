using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Files;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Ingest;
using Tessera.Client.Contracts;
using Tessera.Server.Audit;
using Tessera.Server.Auth;

using Tessera.Server.Security;

namespace Tessera.Server.Api;

/// <summary>Resources and files on every level: project, subject, session and scan.</summary>
public static class ResourceEndpoints
{
    public static IEndpointRouteBuilder MapResourceEndpoints(this IEndpointRouteBuilder app)
    {
        string[] levels =
        [
            "/api/projects/{p}",
            "/api/projects/{p}/subjects/{s}",
            "/api/projects/{p}/subjects/{s}/sessions/{e}",
            "/api/projects/{p}/subjects/{s}/sessions/{e}/scans/{n}",
        ];
        foreach (var level in levels)
        {
            var group = app.MapGroup(level + "/resources").WithTags("Files");
            group.MapGet("/", ListResources).WithAccess(AccessRule.ProjectRead);
            group.MapDelete("/{r}", DeleteResource).WithAccess(AccessRule.ProjectWrite);
            group.MapGet("/{r}/files", ListFiles).WithAccess(AccessRule.ProjectRead);
            group.MapMethods("/{r}/files/{*path}", [HttpMethods.Get, HttpMethods.Head], GetFile)
                .WithAccess(AccessRule.ProjectRead).WithMetadata(AuditedReadMetadata.Instance);
            group.MapPut("/{r}/files/{*path}", PutFile).WithAccess(AccessRule.ProjectWrite);
            group.MapDelete("/{r}/files/{*path}", DeleteFile).WithAccess(AccessRule.ProjectWrite);
        }
        return app;
    }

    private static FileOwner OwnerOf(HttpContext context) => new(
        context.GetRouteValue("s") as string, context.GetRouteValue("e") as string, context.GetRouteValue("n") as string);

    internal static FileDto ToDto(StoredFile f, string resourceUrl)
    {
        var image = Imaging.ImageFormats.LooksShowable(f.Path, f.MediaType);
        return new(
            f.Id, f.Path, f.Size, f.Sha256, f.MediaType, f.CreatedAt, f.UpdatedAt,
            $"{resourceUrl}/files/{string.Join('/', f.Path.Split('/').Select(Uri.EscapeDataString))}",
            image ? $"/iiif/3/{f.Id}" : null,
            image ? $"/dzi/{f.Id}.dzi" : null);
    }

    private static string ResourceUrl(string p, FileOwner owner, string r) =>
        $"/api/projects/{p}/{owner.PathPrefix}resources/{r}";

    private static async Task<Ok<List<ResourceDto>>> ListResources(HttpContext context, FileService files, string p)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var list = await files.ListResourcesAsync(access, OwnerOf(context), context.RequestAborted);
        return TypedResults.Ok(list.Select(x => new ResourceDto(x.Label, x.FileCount, x.TotalSize)).ToList());
    }

    private static async Task<NoContent> DeleteResource(HttpContext context, FileService files, string p, string r)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        await files.DeleteResourceAsync(access, OwnerOf(context), r, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageDto<FileDto>>> ListFiles(
        HttpContext context, FileService files, string p, string r, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var owner = OwnerOf(context);
        var page = await files.ListFilesAsync(access, owner, r, Paging.From(offset, limit), context.RequestAborted);
        var url = ResourceUrl(p, owner, r);
        return TypedResults.Ok(page.Map(f => ToDto(f, url)));
    }

    private static async Task<FileStreamHttpResult> GetFile(HttpContext context, FileService files, string p, string r, string path)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var file = await files.GetFileAsync(access, OwnerOf(context), r, context.FilePath(path), context.RequestAborted);
        var content = await files.OpenAsync(file, context.RequestAborted);
        StoredFileHeaders.Apply(context.Response, file.Path, file.MediaType);
        return TypedResults.Stream(content, file.MediaType,
            lastModified: file.UpdatedAt, entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    private static async Task<Results<Created<FileDto>, Ok<FileDto>>> PutFile(
        HttpContext context, IngestService ingest, IOptions<ServerOptions> options, string p, string r, string path)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxUploadBytes;
        }
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        var owner = OwnerOf(context);
        var expected = ContentDigest.ParseSha256(context.Request.Headers[ContentDigest.HeaderName]);
        var request = new IngestRequest(owner, r, context.FilePath(path), expected, context.Request.ContentType);
        var (file, created) = await ingest.StoreAsync(access, request, context.Request.Body, context.RequestAborted);
        var dto = ToDto(file, ResourceUrl(p, owner, r));
        return created ? TypedResults.Created(dto.Url, dto) : TypedResults.Ok(dto);
    }

    private static async Task<NoContent> DeleteFile(HttpContext context, FileService files, string p, string r, string path)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        await files.DeleteFileAsync(access, OwnerOf(context), r, context.FilePath(path), context.RequestAborted);
        return TypedResults.NoContent();
    }
}
