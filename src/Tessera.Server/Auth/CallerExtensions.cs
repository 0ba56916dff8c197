using System.Security.Claims;
using Tessera.Archive.Access;

namespace Tessera.Server.Auth;

public static class CallerExtensions
{
    private static readonly object s_key = new();

    /// <summary>The caller of this request, built once from the authenticated principal.</summary>
    public static Caller GetCaller(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(s_key, out var cached) && cached is Caller caller)
        {
            return caller;
        }
        caller = FromPrincipal(context.User);
        context.Items[s_key] = caller;
        return caller;
    }

    private static Caller FromPrincipal(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(TesseraClaims.UserId);
        if (id is null || !Guid.TryParse(id, out var userId))
        {
            return Caller.Anonymous;
        }
        var scope = principal.FindFirstValue(TesseraClaims.TokenProject);
        var job = principal.FindFirstValue(TesseraClaims.TokenJob);
        var token = principal.FindFirstValue(TesseraClaims.Token);
        return new Caller(
            userId,
            principal.Identity?.Name,
            principal.HasClaim(TesseraClaims.Admin, "true"),
            scope is null ? null : Guid.Parse(scope),
            job is null ? null : Guid.Parse(job))
        {
            TokenId = token is null ? null : Guid.Parse(token),
        };
    }
}
