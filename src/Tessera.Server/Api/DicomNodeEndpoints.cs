using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;
using Tessera.Server.DicomNetwork;

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
        nodes.MapPost("/{aeTitle}/echo", Echo).WithAccess(AccessRule.NodeProjectWrite);
        nodes.MapPost("/{aeTitle}/find", Find).WithAccess(AccessRule.NodeProjectWrite);
        // Echo and find check the node's project (DicomScuService). Sends and retrievals are a project's: its readers
        // may send it out, its writers retrieve into it, each to or from a node of that project.
        var project = app.MapGroup("/api/projects/{p}/dicom").WithTags("DICOM nodes");
        project.MapPost("/send", Send).WithAccess(AccessRule.ProjectRead);
        project.MapPost("/retrieve", Retrieve).WithAccess(AccessRule.ProjectWrite);
        return app;
    }

    private static async Task<Ok<List<DicomNodeDto>>> List(DicomNodeService nodes, CancellationToken ct) =>
        TypedResults.Ok((await nodes.ListAsync(ct)).Select(ToDto).ToList());

    private static async Task<Ok<DicomNodeDto>> Get(DicomNodeService nodes, string aeTitle, CancellationToken ct) =>
        TypedResults.Ok(ToDto(await nodes.GetAsync(aeTitle, ct)));

    private static async Task<Results<Created<DicomNodeDto>, Ok<DicomNodeDto>>> Put(DicomNodeService nodes, string aeTitle, PutDicomNodeRequest body, CancellationToken ct)
    {
        var (node, created) = await nodes.PutAsync(aeTitle, body.Host, body.Port, body.Allow, body.Project, new DicomNodeTransport(body.Tls, body.TlsServerName), ct);
        return created
            ? TypedResults.Created($"/api/dicom/nodes/{Uri.EscapeDataString(aeTitle)}", ToDto(node))
            : TypedResults.Ok(ToDto(node));
    }

    private static async Task<NoContent> Delete(DicomNodeService nodes, string aeTitle, CancellationToken ct)
    {
        await nodes.DeleteAsync(aeTitle, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<DicomEchoResult>> Echo(HttpContext context, DicomScuService scu, string aeTitle) =>
        TypedResults.Ok(await scu.EchoAsync(context.GetCaller(), aeTitle, context.RequestAborted));

    /// <summary>The matches as DICOM JSON (PS3.18 F.2), as QIDO-RS answers.</summary>
    private static async Task Find(HttpContext context, DicomScuService scu, string aeTitle, DicomFindRequest body)
    {
        var matches = await scu.FindAsync(context.GetCaller(), aeTitle, body, context.RequestAborted);
        context.Response.ContentType = "application/dicom+json";
        await using var writer = new System.Text.Json.Utf8JsonWriter(context.Response.Body);
        writer.WriteStartArray();
        foreach (var match in matches)
            Tessera.Dicom.Json.DicomJsonWriter.Write(writer, match);
        writer.WriteEndArray();
        await writer.FlushAsync(context.RequestAborted);
    }

    private static async Task<Ok<DicomSendReport>> Send(HttpContext context, DicomScuService scu, string p, DicomSendRequest body)
    {
        var access = await context.RequireProjectAsync(p, Archive.Access.AccessLevel.Read);
        // Reading a public project is open to all; making the server send its data out is for the project's own people.
        if (access.Role == Archive.Access.ProjectRole.None && !access.Caller.IsAdmin)
            throw access.Caller.IsAuthenticated
                ? Archive.TesseraException.Forbidden($"Sending project '{p}' to a DICOM node needs a role on the project.")
                : Archive.TesseraException.Unauthenticated();
        return TypedResults.Ok(await scu.SendAsync(access, body.Target, body.Node, context.RequestAborted));
    }

    private static async Task<Ok<DicomRetrieveReport>> Retrieve(HttpContext context, DicomScuService scu, string p, DicomRetrieveRequest body)
    {
        var access = await context.RequireProjectAsync(p, Archive.Access.AccessLevel.Write);
        return TypedResults.Ok(await scu.RetrieveAsync(access, body.Node, body, context.RequestAborted));
    }

    private static DicomNodeDto ToDto(DicomNodeView node) =>
        new(node.AeTitle, node.Host, node.Port, node.Allow, node.Project, node.CreatedAt, node.UpdatedAt, node.Tls, node.TlsServerName);
}
