using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Hierarchy;
using Tessera.Archive.Projects;
using Tessera.Client.Contracts;
using Microsoft.Extensions.Options;
using Tessera.Server.Auth;
using Tessera.Server.DicomNetwork;

namespace Tessera.Server.Api;

public static class ProjectEndpoints
{
    public static IEndpointRouteBuilder MapProjectEndpoints(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects").WithTags("Projects");
        projects.MapGet("/", List).WithAccess(AccessRule.Public);
        projects.MapPost("/", Create).WithAccess(AccessRule.Authenticated);
        projects.MapGet("/{p}", Get).WithAccess(AccessRule.ProjectRead);
        projects.MapPatch("/{p}", Update).WithAccess(AccessRule.ProjectManage);
        projects.MapDelete("/{p}", Delete).WithAccess(AccessRule.ProjectManage);

        projects.MapGet("/{p}/members", ListMembers).WithAccess(AccessRule.ProjectRead);
        projects.MapPut("/{p}/members/{username}", SetMember).WithAccess(AccessRule.ProjectManage);
        projects.MapDelete("/{p}/members/{username}", RemoveMember).WithAccess(AccessRule.ProjectManage);

        projects.MapGet("/{p}/schemas/{type}", GetSchema).WithAccess(AccessRule.ProjectRead);
        projects.MapPut("/{p}/schemas/{type}", SetSchema).WithAccess(AccessRule.ProjectManage);
        return app;
    }

    private static async Task<Ok<PageDto<ProjectDto>>> List(HttpContext context, ProjectService projects, int? offset, int? limit)
    {
        var page = await projects.ListAsync(context.GetCaller(), Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(page.Map(x => x.Project.ToDto(x.Role)));
    }

    private static async Task<Created<ProjectDto>> Create(HttpContext context, ProjectService projects, CreateProjectRequest body)
    {
        var project = await projects.CreateAsync(
            context.GetCaller(), body.Id, body.Name, body.Description, body.Visibility == Visibility.Public, context.RequestAborted);
        return TypedResults.Created($"/api/projects/{project.Slug}", project.ToDto(ProjectRole.Owner));
    }

    private static async Task<Ok<ProjectDto>> Get(HttpContext context, string p)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        return TypedResults.Ok(access.Project.ToDto(access.Role));
    }

    private static async Task<Ok<ProjectDto>> Update(HttpContext context, ProjectService projects, IOptions<DicomOptions> dicom, string p, UpdateProjectRequest body)
    {
        // The server's own AE title routes by the calling AE: a project that took it would never be reached.
        if (body.Dicom?.AeTitle is { } aeTitle && aeTitle.Trim() == dicom.Value.AeTitle)
            throw TesseraException.Conflict($"'{aeTitle}' is the server's own AE title (Dicom:AeTitle); a project needs one of its own.");
        var project = await projects.UpdateAsync(context.GetCaller(), p, body.Name, body.Description,
            body.Visibility is null ? null : body.Visibility == Visibility.Public, context.RequestAborted,
            body.Dicom is null ? null : current => body.Dicom.Merge(current));
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        return TypedResults.Ok(project.ToDto(access.Role));
    }

    private static async Task<NoContent> Delete(HttpContext context, ProjectService projects, string p)
    {
        await projects.DeleteAsync(context.GetCaller(), p, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<MemberDto>>> ListMembers(HttpContext context, MemberService members, string p)
    {
        var list = await members.ListAsync(context.GetCaller(), p, context.RequestAborted);
        return TypedResults.Ok(list.Select(m => new MemberDto(m.Username, m.Role.ToContract())).ToList());
    }

    private static async Task<Results<Ok<MemberDto>, Created<MemberDto>>> SetMember(
        HttpContext context, MemberService members, string p, string username, SetMemberRequest body)
    {
        var created = await members.SetAsync(context.GetCaller(), p, username, body.Role.ToArchive(), context.RequestAborted);
        var dto = new MemberDto(username, body.Role);
        return created ? TypedResults.Created($"/api/projects/{p}/members/{username}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<NoContent> RemoveMember(HttpContext context, MemberService members, string p, string username)
    {
        await members.RemoveAsync(context.GetCaller(), p, username, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<JsonElement>, NoContent>> GetSchema(HttpContext context, ProjectService projects, string p, string type)
    {
        var schema = await projects.GetSchemaAsync(context.GetCaller(), p, ParseType(type), context.RequestAborted);
        return schema is null ? TypedResults.NoContent() : TypedResults.Ok(JsonSerializer.Deserialize<JsonElement>(schema));
    }

    private static async Task<Results<Ok<JsonElement>, NoContent>> SetSchema(
        HttpContext context, ProjectService projects, string p, string type, JsonElement body)
    {
        var schema = await projects.SetSchemaAsync(context.GetCaller(), p, ParseType(type), body, context.RequestAborted);
        return schema is null ? TypedResults.NoContent() : TypedResults.Ok(body);
    }

    private static EntityType ParseType(string type) => type switch
    {
        "subject" => EntityType.Subject,
        "session" => EntityType.Session,
        "scan" => EntityType.Scan,
        _ => throw TesseraException.Invalid($"'{type}' is not an entity type with custom fields: use subject, session or scan."),
    };
}
