using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>The AE table of the DICOM node (site admins).</summary>
public static class DicomNodeEndpoints
{
    public static IEndpointRouteBuilder MapDicomNodeEndpoints(this IEndpointRouteBuilder app)
    {
        var nodes = app.MapGroup("/api/dicom/nodes").WithTags("DICOM nodes");
        nodes.MapGet("/", List).WithAccess(AccessRule.Admin);
        nodes.MapGet("/{aeTitle}", Get).WithAccess(AccessRule.Admin);
        nodes.MapPut("/{aeTitle}", Put).WithAccess(AccessRule.Admin);
        nodes.MapDelete("/{aeTitle}", Delete).WithAccess(AccessRule.Admin);
        return app;
    }

    private static async Task<Ok<List<DicomNodeDto>>> List(DicomNodeService nodes, CancellationToken ct) =>
        TypedResults.Ok((await nodes.ListAsync(ct)).Select(ToDto).ToList());

    private static async Task<Ok<DicomNodeDto>> Get(DicomNodeService nodes, string aeTitle, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await nodes.GetAsync(aeTitle, ct)));

    private static async Task<Results<Created<DicomNodeDto>, Ok<DicomNodeDto>>> Put(DicomNodeService nodes, string aeTitle, PutDicomNodeRequest body, CancellationToken ct)
    {
        var (node, created) = await nodes.PutAsync(aeTitle, body.Host, body.Port, body.Allow, body.Project, ct);
        return created
            ? TypedResults.Created($"/api/dicom/nodes/{Uri.EscapeDataString(aeTitle)}", ToDto(node))
            : TypedResults.Ok(ToDto(node));
    }

    private static async Task<NoContent> Delete(DicomNodeService nodes, string aeTitle, CancellationToken ct)
    {
        await nodes.DeleteAsync(aeTitle, ct);
        return TypedResults.NoContent();
    }

    private static DicomNodeDto ToDto(DicomNodeView node) =>
        new(node.AeTitle, node.Host, node.Port, node.Allow, node.Project, node.CreatedAt, node.UpdatedAt);
}
