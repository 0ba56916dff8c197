using Tessera.Server.Audit;
using Tessera.Server.Auth;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// DICOMweb (PS3.18) at /dicom-web, over every project the caller may read (stores go to ?project=
/// or the caller's one writable project), and at /dicom-web/projects/{p}, one project's own service.
/// </summary>
public static class DicomWebEndpoints
{
    public static IEndpointRouteBuilder MapDicomWebEndpoints(this IEndpointRouteBuilder app)
    {
        // A store names its project by ?project= (or goes to the default one): project rules apply as on the per-project service.
        Map(app.MapGroup("/dicom-web"), write: AccessRule.ProjectWrite, read: AccessRule.ReadableProjects);
        Map(app.MapGroup("/dicom-web/projects/{p}"), write: AccessRule.ProjectWrite, read: AccessRule.ProjectRead);
        return app;
    }

    private static void Map(RouteGroupBuilder service, AccessRule write, AccessRule read)
    {
        service.WithTags("DICOMweb");
        const string study = "/studies/{study}";
        const string series = study + "/series/{series}";
        const string instance = series + "/instances/{instance}";

        service.MapPost("/studies", StowEndpoint.Store).WithAccess(write);
        service.MapPost(study, StowEndpoint.Store).WithAccess(write);

        service.MapGet("/studies", QidoEndpoints.Studies).WithAccess(read);
        service.MapGet("/series", QidoEndpoints.Series).WithAccess(read);
        service.MapGet("/instances", QidoEndpoints.Instances).WithAccess(read);
        service.MapGet(study + "/series", QidoEndpoints.Series).WithAccess(read);
        service.MapGet(study + "/instances", QidoEndpoints.Instances).WithAccess(read);
        service.MapGet(series + "/instances", QidoEndpoints.Instances).WithAccess(read);

        foreach (var level in new[] { study, series, instance })
        {
            service.MapGet(level, WadoEndpoints.Retrieve).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
            service.MapGet(level + "/metadata", WadoEndpoints.Metadata).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
            service.MapGet(level + "/rendered", RenderedEndpoints.Rendered).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
            service.MapGet(level + "/thumbnail", RenderedEndpoints.Thumbnail).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
        }
        service.MapGet(instance + "/frames/{frames}", WadoEndpoints.Frames).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
        service.MapGet(instance + "/frames/{frames}/rendered", RenderedEndpoints.FramesRendered).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
        service.MapGet(instance + "/frames/{frames}/thumbnail", RenderedEndpoints.FramesThumbnail).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
        service.MapGet(instance + "/bulk/{*tag}", WadoEndpoints.Bulk).WithAccess(read).WithMetadata(AuditedReadMetadata.Instance);
    }
}
