using System.IO.Compression;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Access;
using Tessera.Archive.Files;
using Tessera.Server.Audit;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>A session's files as one zip, written entry by entry straight into the response.</summary>
public static class SessionArchiveEndpoints
{
    public static IEndpointRouteBuilder MapSessionArchiveEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/projects/{p}/subjects/{s}/sessions/{e}/files.zip", Download)
            .WithTags("Files").WithAccess(AccessRule.ProjectRead).WithMetadata(AuditedReadMetadata.Instance);
        return app;
    }

    private static async Task<PushStreamHttpResult> Download(HttpContext context, FileService files, string p, string s, string e)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var entries = await files.ListSessionFilesAsync(access, s, e, context.RequestAborted);
        return TypedResults.Stream(async body =>
        {
            var ct = context.RequestAborted;
            // The response stream is not seekable: entries get data descriptors, nothing is buffered whole.
            await using var output = new SyncWriteBufferingStream(body);
            await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct))
            {
                foreach (var (name, file) in entries)
                {
                    var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                    entry.LastWriteTime = file.UpdatedAt;
                    await using var target = await entry.OpenAsync(ct);
                    await using var source = await files.OpenAsync(file, ct);
                    await source.CopyToAsync(target, 1 << 20, ct);
                }
            }
            await output.FlushAsync(ct);
        }, "application/zip", $"{p}_{s}_{e}.zip");
    }
}
