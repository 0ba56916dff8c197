using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

public static class TokenEndpoints
{
    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/tokens").WithTags("Tokens").WithAccess(AccessRule.Authenticated);
        tokens.MapGet("/", List);
        tokens.MapPost("/", Create);
        tokens.MapDelete("/{id:guid}", Delete);
        return app;
    }

    private static async Task<Ok<List<TokenDto>>> List(HttpContext context, TokenService tokens, ArchiveDbContext db)
    {
        var list = await tokens.ListAsync(context.GetCaller(), context.RequestAborted);
        var projectIds = list.Where(t => t.ProjectId is not null).Select(t => t.ProjectId!.Value).Distinct().ToList();
        var slugs = await db.Projects.AsNoTracking().Where(p => projectIds.Contains(p.Id))
            .ToDictionaryAsync(p => p.Id, p => p.Slug, context.RequestAborted);
        return TypedResults.Ok(list
            .Select(t => new TokenDto(t.Id, t.Name, t.ProjectId is { } p ? slugs.GetValueOrDefault(p) : null, t.CreatedAt, t.ExpiresAt, t.LastUsedAt))
            .ToList());
    }

    private static async Task<Created<CreatedTokenDto>> Create(HttpContext context, TokenService tokens, ArchiveDbContext db, CreateTokenRequest body)
    {
        var (token, secret) = await tokens.CreateAsync(
            context.GetCaller(), body.Name, body.ExpiresInDays, body.Project, context.RequestAborted);
        // The scope the token got, not the one asked for: a token made with a project-scoped token keeps that project.
        var project = token.ProjectId is { } id
            ? await db.Projects.AsNoTracking().Where(p => p.Id == id).Select(p => p.Slug).FirstAsync(context.RequestAborted)
            : null;
        return TypedResults.Created($"/api/tokens/{token.Id}",
            new CreatedTokenDto(token.Id, secret, token.Name, project, token.ExpiresAt));
    }

    private static async Task<NoContent> Delete(HttpContext context, TokenService tokens, Guid id)
    {
        await tokens.DeleteAsync(context.GetCaller(), id, context.RequestAborted);
        return TypedResults.NoContent();
    }
}
