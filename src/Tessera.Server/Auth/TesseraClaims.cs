using System.Security.Claims;
using Tessera.Archive.Access;

namespace Tessera.Server.Auth;

internal static class TesseraClaims
{
    public const string Scheme = "Tessera";
    public const string UserId = "tessera:uid";
    public const string Admin = "tessera:admin";
    public const string TokenProject = "tessera:token-project";
    public const string TokenJob = "tessera:token-job";
    public const string Token = "tessera:token";

    /// <summary>The principal for a signed-in caller; <see cref="CallerExtensions.GetCaller"/> reads it back.</summary>
    public static ClaimsPrincipal Principal(Caller caller, string scheme)
    {
        var claims = new List<Claim>
        {
            new(UserId, caller.UserId!.Value.ToString()),
            new(ClaimTypes.Name, caller.Username!),
        };
        if (caller.IsAdmin)
        {
            claims.Add(new Claim(Admin, "true"));
        }
        if (caller.TokenProjectId is { } project)
        {
            claims.Add(new Claim(TokenProject, project.ToString()));
        }
        if (caller.JobId is { } job)
        {
            claims.Add(new Claim(TokenJob, job.ToString()));
        }
        if (caller.TokenId is { } token)
        {
            claims.Add(new Claim(Token, token.ToString()));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
