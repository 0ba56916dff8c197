using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Data;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Tools;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>The tool registry: site-wide tools (admins register them) and a project's own (its owners do).</summary>
public static class ToolEndpoints
{
    public static IEndpointRouteBuilder MapToolEndpoints(this IEndpointRouteBuilder app)
    {
        var site = app.MapGroup("/api/tools").WithTags("Tools");
        site.MapGet("/", List).WithAccess(AccessRule.Authenticated);
        site.MapPost("/", Register).WithAccess(AccessRule.Admin);
        site.MapGet("/{tool}", Get).WithAccess(AccessRule.Authenticated);
        site.MapPost("/{tool}/deprecation", Deprecate).WithAccess(AccessRule.Admin);
        var project = app.MapGroup("/api/projects/{p}/tools").WithTags("Tools");
        project.MapGet("/", ListForProject).WithAccess(AccessRule.ProjectRead);
        project.MapPost("/", RegisterForProject).WithAccess(AccessRule.ProjectManage);
        project.MapPost("/{tool}/deprecation", Deprecate).WithAccess(AccessRule.ProjectManage);
        return app;
    }

    private static async Task<Ok<List<ToolDto>>> List(HttpContext context, ToolService tools, bool? deprecated) =>
        TypedResults.Ok((await tools.ListAsync(context.GetCaller(), null, deprecated == true, context.RequestAborted))
            .Select(t => ToDto(t.Tool, t.Project)).ToList());

    private static async Task<Ok<List<ToolDto>>> ListForProject(HttpContext context, ToolService tools, string p, bool? deprecated) =>
        TypedResults.Ok((await tools.ListAsync(context.GetCaller(), p, deprecated == true, context.RequestAborted))
            .Select(t => ToDto(t.Tool, t.Project)).ToList());

    private static Task<Created<ToolDto>> Register(HttpContext context, ToolService tools) => RegisterAsync(context, tools, null);

    private static Task<Created<ToolDto>> RegisterForProject(HttpContext context, ToolService tools, string p) => RegisterAsync(context, tools, p);

    private static async Task<Ok<ToolDto>> Get(HttpContext context, ToolService tools, string tool)
    {
        var (found, project) = await tools.GetAsync(context.GetCaller(), tool, context.RequestAborted);
        return TypedResults.Ok(ToDto(found, project, withDescriptor: true));
    }

    private static async Task<Ok<ToolDto>> Deprecate(HttpContext context, ToolService tools, string tool, DeprecateToolRequest body, string? p = null)
    {
        var changed = await tools.DeprecateAsync(context.GetCaller(), tool, p, body.Deprecated, body.Note, context.RequestAborted);
        return TypedResults.Ok(ToDto(changed, p));
    }

    /// <summary>The body is the descriptor itself, kept byte for byte as sent.</summary>
    private static async Task<Created<ToolDto>> RegisterAsync(HttpContext context, ToolService tools, string? project)
    {
        using var reader = new StreamReader(context.Request.Body);
        var descriptor = await reader.ReadToEndAsync(context.RequestAborted);
        var tool = await tools.RegisterAsync(context.GetCaller(), descriptor, project, context.RequestAborted);
        return TypedResults.Created($"/api/tools/{Uri.EscapeDataString($"{tool.Name}@{tool.Version}")}", ToDto(tool, project));
    }

    private static ToolDto ToDto(Tool tool, string? project, bool withDescriptor = false)
    {
        JsonElement? descriptor = null;
        if (withDescriptor)
        {
            using var document = JsonDocument.Parse(tool.Descriptor);
            descriptor = document.RootElement.Clone();
        }
        return new ToolDto($"{tool.Name}@{tool.Version}", tool.Name, tool.Version, tool.Description, project, tool.AssessmentType,
            tool.ContainerImage, tool.Deprecated, tool.DeprecationNote, tool.CreatedAt, descriptor);
    }
}
