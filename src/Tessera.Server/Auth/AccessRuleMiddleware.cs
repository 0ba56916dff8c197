using Microsoft.AspNetCore.Authentication;
using Tessera.Archive;

namespace Tessera.Server.Auth;

/// <summary>
/// Rejects bad credentials outright (they never fall back to anonymous) and enforces the
/// site-level rules (<see cref="AccessRule.Authenticated"/>, <see cref="AccessRule.Admin"/>).
/// </summary>
public sealed class AccessRuleMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TesseraClaims.Scheme);
        if (result.Failure is not null)
        {
            throw new TesseraException(ErrorKind.Unauthenticated, result.Failure.Message);
        }
        if (result.Principal is not null)
        {
            context.User = result.Principal;
        }
        var rule = context.GetEndpoint()?.Metadata.GetMetadata<AccessRuleMetadata>()?.Rule;
        if (rule is AccessRule.Authenticated or AccessRule.Admin && !context.GetCaller().IsAuthenticated)
        {
            throw TesseraException.Unauthenticated();
        }
        if (rule is AccessRule.Admin && !context.GetCaller().IsAdmin)
        {
            throw TesseraException.Forbidden("Only site administrators may do this.");
        }
        await next(context);
    }
}
