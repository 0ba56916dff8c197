using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Access;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

/// <summary>Subjects, sessions and scans: PUT creates or updates (201 or 200), GET reads with a page of children.</summary>
public static class HierarchyEndpoints
{
    public static IEndpointRouteBuilder MapHierarchyEndpoints(this IEndpointRouteBuilder app)
    {
        var project = app.MapGroup("/api/projects/{p}").WithTags("Hierarchy");
        project.MapGet("/subjects", ListSubjects).WithAccess(AccessRule.ProjectRead);
        project.MapGet("/subjects/{s}", GetSubject).WithAccess(AccessRule.ProjectRead);
        project.MapPut("/subjects/{s}", PutSubject).WithAccess(AccessRule.ProjectWrite);
        project.MapDelete("/subjects/{s}", DeleteSubject).WithAccess(AccessRule.ProjectWrite);

        var subject = project.MapGroup("/subjects/{s}");
        subject.MapGet("/sessions", ListSessions).WithAccess(AccessRule.ProjectRead);
        subject.MapGet("/sessions/{e}", GetSession).WithAccess(AccessRule.ProjectRead);
        subject.MapPut("/sessions/{e}", PutSession).WithAccess(AccessRule.ProjectWrite);
        subject.MapDelete("/sessions/{e}", DeleteSession).WithAccess(AccessRule.ProjectWrite);

        var session = subject.MapGroup("/sessions/{e}");
        session.MapGet("/scans", ListScans).WithAccess(AccessRule.ProjectRead);
        session.MapGet("/scans/{n}", GetScan).WithAccess(AccessRule.ProjectRead);
        session.MapPut("/scans/{n}", PutScan).WithAccess(AccessRule.ProjectWrite);
        session.MapDelete("/scans/{n}", DeleteScan).WithAccess(AccessRule.ProjectWrite);
        return app;
    }

    private static async Task<Ok<PageDto<SubjectDto>>> ListSubjects(
        HttpContext context, HierarchyService hierarchy, string p, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var page = await hierarchy.ListSubjectsAsync(access, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(page.Map(x => x.ToDto()));
    }

    private static async Task<Ok<SubjectDto>> GetSubject(
        HttpContext context, HierarchyService hierarchy, string p, string s, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var subject = await hierarchy.GetSubjectAsync(access, s, context.RequestAborted);
        var sessions = await hierarchy.ListSessionsAsync(access, s, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(subject.ToDto(sessions.Map(x => x.ToDto(s))));
    }

    private static async Task<Results<Created<SubjectDto>, Ok<SubjectDto>>> PutSubject(
        HttpContext context, HierarchyService hierarchy, string p, string s, EntityBody? body)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        var (subject, created) = await hierarchy.PutSubjectAsync(access, s, body.ToWrite(), context.RequestAborted);
        return created
            ? TypedResults.Created($"/api/projects/{p}/subjects/{s}", subject.ToDto())
            : TypedResults.Ok(subject.ToDto());
    }

    private static async Task<NoContent> DeleteSubject(HttpContext context, HierarchyService hierarchy, string p, string s)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        await hierarchy.DeleteSubjectAsync(access, s, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageDto<SessionDto>>> ListSessions(
        HttpContext context, HierarchyService hierarchy, string p, string s, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var page = await hierarchy.ListSessionsAsync(access, s, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(page.Map(x => x.ToDto(s)));
    }

    private static async Task<Ok<SessionDto>> GetSession(
        HttpContext context, HierarchyService hierarchy, string p, string s, string e, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var session = await hierarchy.GetSessionAsync(access, s, e, context.RequestAborted);
        var scans = await hierarchy.ListScansAsync(access, s, e, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(session.ToDto(s, scans.Map(x => x.ToDto())));
    }

    private static async Task<Results<Created<SessionDto>, Ok<SessionDto>>> PutSession(
        HttpContext context, HierarchyService hierarchy, string p, string s, string e, EntityBody? body)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        var (session, created) = await hierarchy.PutSessionAsync(access, s, e, body.ToWrite(), context.RequestAborted);
        return created
            ? TypedResults.Created($"/api/projects/{p}/subjects/{s}/sessions/{e}", session.ToDto(s))
            : TypedResults.Ok(session.ToDto(s));
    }

    private static async Task<NoContent> DeleteSession(HttpContext context, HierarchyService hierarchy, string p, string s, string e)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        await hierarchy.DeleteSessionAsync(access, s, e, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageDto<ScanDto>>> ListScans(
        HttpContext context, HierarchyService hierarchy, string p, string s, string e, int? offset, int? limit)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        var page = await hierarchy.ListScansAsync(access, s, e, Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(page.Map(x => x.ToDto()));
    }

    private static async Task<Ok<ScanDto>> GetScan(HttpContext context, HierarchyService hierarchy, string p, string s, string e, string n)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Read);
        return TypedResults.Ok((await hierarchy.GetScanAsync(access, s, e, n, context.RequestAborted)).ToDto());
    }

    private static async Task<Results<Created<ScanDto>, Ok<ScanDto>>> PutScan(
        HttpContext context, HierarchyService hierarchy, string p, string s, string e, string n, EntityBody? body)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        var (scan, created) = await hierarchy.PutScanAsync(access, s, e, n, body.ToWrite(), context.RequestAborted);
        return created
            ? TypedResults.Created($"/api/projects/{p}/subjects/{s}/sessions/{e}/scans/{n}", scan.ToDto())
            : TypedResults.Ok(scan.ToDto());
    }

    private static async Task<NoContent> DeleteScan(HttpContext context, HierarchyService hierarchy, string p, string s, string e, string n)
    {
        var access = await context.RequireProjectAsync(p, AccessLevel.Write);
        await hierarchy.DeleteScanAsync(access, s, e, n, context.RequestAborted);
        return TypedResults.NoContent();
    }
}
