using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Audit;
using Tessera.Archive.Hierarchy;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

public static class AuditEndpoints
{
    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        // With ?project=, owners (and admins) read that project's entries; without it, admins read
        // everything. AuditService enforces both.
        app.MapGet("/api/audit", Query).WithTags("Audit").WithAccess(AccessRule.ProjectManage);
        return app;
    }

    private static async Task<Ok<PageDto<AuditEntryDto>>> Query(
        HttpContext context, AuditService audit, string? project, string? user, DateTime? since, DateTime? until, int? offset, int? limit)
    {
        var page = await audit.QueryAsync(context.GetCaller(), project, user,
            since?.ToUniversalTime(), until?.ToUniversalTime(), Paging.From(offset, limit), context.RequestAborted);
        return TypedResults.Ok(page.Map(a => a.ToDto()));
    }
}
