using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Access;
using Tessera.Archive.Dicom.Media;
using Tessera.Archive.Dicom.Query;
using Tessera.Server.Audit;
using Tessera.Server.Auth;
using Tessera.Server.DicomWeb;

namespace Tessera.Server.Api;

/// <summary>
/// DICOM media (PS3.10) as a zip: a DICOMDIR at the root and the instances under DICOM/…, for a
/// session, a scan, or what a query finds in a project. Reads, audited like downloads.
/// </summary>
public static class DicomMediaEndpoints
{
    public static IEndpointRouteBuilder MapDicomMediaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/projects/{p}/subjects/{s}/sessions/{e}/dicom-media", Session)
            .WithTags("DICOM media").WithAccess(AccessRule.ProjectRead).WithMetadata(AuditedReadMetadata.Instance);
        app.MapGet("/api/projects/{p}/subjects/{s}/sessions/{e}/scans/{n}/dicom-media", Scan)
            .WithTags("DICOM media").WithAccess(AccessRule.ProjectRead).WithMetadata(AuditedReadMetadata.Instance);
        app.MapGet("/api/projects/{p}/dicom-media", Query)
            .WithTags("DICOM media").WithAccess(AccessRule.ProjectRead).WithMetadata(AuditedReadMetadata.Instance);
        return app;
    }

    private static async Task<PushStreamHttpResult> Session(HttpContext context, DicomMediaService media, string p, string s, string e)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var instances = await media.SessionAsync(access, s, e, context.RequestAborted);
        return Zip(context, media, instances, $"{p}_{s}_{e}_dicom.zip");
    }

    private static async Task<PushStreamHttpResult> Scan(HttpContext context, DicomMediaService media, string p, string s, string e, string n)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var instances = await media.ScanAsync(access, s, e, n, context.RequestAborted);
        return Zip(context, media, instances, $"{p}_{s}_{e}_{n}_dicom.zip");
    }

    /// <summary>Matching keys as QIDO-RS takes them (StudyInstanceUID=a,b, PatientID=X, StudyDate=2024-…, Modality=CT).</summary>
    private static async Task<PushStreamHttpResult> Query(HttpContext context, DicomMediaService media, string p)
    {
        await context.RequireProjectAsync(p, AccessLevel.Read);
        var (query, _) = QidoParameters.Parse(context.Request.Query, DicomQueryLevel.Instance);
        var instances = await media.QueryAsync(context.GetCaller(), query with { Project = p, Offset = 0 }, context.RequestAborted);
        return Zip(context, media, instances, $"{p}_dicom.zip");
    }

    private static PushStreamHttpResult Zip(HttpContext context, DicomMediaService media, IReadOnlyList<MediaInstance> instances, string name) =>
        TypedResults.Stream(async body =>
        {
            var ct = context.RequestAborted;
            // The response does not seek: entries get data descriptors, and nothing is held whole.
            await using var output = new SyncWriteBufferingStream(body);
            await media.WriteAsync(instances, output, ct);
            await output.FlushAsync(ct);
        }, "application/zip", name);
}
