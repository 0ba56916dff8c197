using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Archive.Users;
using Tessera.Client.Contracts;
using Tessera.Server.Auth;

namespace Tessera.Server.Api;

public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUserEndpoints(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users");
        users.MapGet("/me", GetMe).WithAccess(AccessRule.Authenticated);
        users.MapPut("/me/password", ChangePassword).WithAccess(AccessRule.Authenticated);
        users.MapGet("/", List).WithAccess(AccessRule.Admin);
        users.MapPost("/", Create).WithAccess(AccessRule.Admin);
        users.MapPatch("/{username}", Update).WithAccess(AccessRule.Admin);
        users.MapDelete("/{username}", Delete).WithAccess(AccessRule.Admin);
        return app;
    }

    private static async Task<Ok<UserDto>> GetMe(HttpContext context, UserService users) =>
        TypedResults.Ok((await users.GetAsync(context.GetCaller().RequireUserId(), context.RequestAborted)).ToDto());

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePassword(
        HttpContext context, UserService users, ChangePasswordRequest body)
    {
        var caller = context.GetCaller();
        if (caller.TokenProjectId is not null || caller.JobId is not null)
            throw Archive.TesseraException.Forbidden("A project-scoped or job token cannot change the account's password: sign in with the password, or use an unscoped token.");
        var me = await users.GetAsync(caller.RequireUserId(), context.RequestAborted);
        if (await users.SignInAsync(me.Username, body.CurrentPassword, context.Connection.RemoteIpAddress?.ToString(), "password change", context.RequestAborted) is null)
        {
            return TypedResults.Problem(statusCode: 400, title: "Invalid request", detail: "The current password is wrong.");
        }
        await users.SetPasswordAsync(me.Id, body.NewPassword, context.RequestAborted, keepToken: caller.TokenId);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<UserDto>>> List(UserService users, CancellationToken ct) =>
        TypedResults.Ok((await users.ListAsync(ct)).Select(u => u.ToDto()).ToList());

    private static async Task<Created<UserDto>> Create(UserService users, CreateUserRequest body, CancellationToken ct)
    {
        var user = await users.CreateAsync(body.Username, body.Password, body.Email, body.Admin, ct);
        return TypedResults.Created($"/api/users/{user.Username}", user.ToDto());
    }

    /// <summary>Removes a user with their memberships and tokens; their data and the audit trail stay.</summary>
    private static async Task<NoContent> Delete(HttpContext context, UserService users, string username)
    {
        await users.DeleteAsync(username, context.GetCaller(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UserDto>> Update(
        HttpContext context, UserService users, string username, UpdateUserRequest body)
    {
        // Checked first: a refused password must leave the rest of the change unsaved.
        if (body.Password is not null)
            UserService.CheckPassword(body.Password);
        var user = await users.UpdateAsync(username, body.Admin, body.Disabled, body.Email, context.GetCaller(), context.RequestAborted);
        if (body.Password is not null)
        {
            await users.SetPasswordAsync(user.Id, body.Password, context.RequestAborted);
        }
        return TypedResults.Ok(user.ToDto());
    }
}
