using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Tessera.Archive;
using Tessera.Server.Web;

namespace Tessera.Server.Auth;

/// <summary>
/// Establishes the caller and enforces the site-level rules (<see cref="AccessRule.Authenticated"/>,
/// <see cref="AccessRule.Admin"/>). Credentials in the Authorization header win; bad ones are
/// rejected outright (they never fall back to anonymous). Without them, the web sign-in cookie
/// counts, and an API write made with the cookie must carry the antiforgery token, so that
/// another site cannot make a signed-in browser write.
/// </summary>
public sealed class AccessRuleMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(TesseraClaims.Scheme);
        if (result.Failure is not null)
        {
            if (context.Items[ApiAuthenticationHandler.HeldBackKey] is TesseraException heldBack)
                throw heldBack;
            throw new TesseraException(ErrorKind.Unauthenticated, result.Failure.Message);
        }
        if (result.Principal is not null)
        {
            context.User = result.Principal;
        }
        else if ((await context.AuthenticateAsync(WebAuthentication.CookieScheme)).Principal is { } signedIn)
        {
            context.User = signedIn;
            if (WebAssets.IsApiPath(context.Request.Path) && !HttpMethods.IsGet(context.Request.Method)
                && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
                && !await antiforgery.IsRequestValidAsync(context))
            {
                throw TesseraException.Forbidden(
                    "A write made with the web sign-in needs the page's antiforgery token (RequestVerificationToken header).");
            }
        }
        var rule = context.GetEndpoint()?.Metadata.GetMetadata<AccessAttribute>()?.Rule;
        if (rule is AccessRule.Authenticated or AccessRule.Admin or AccessRule.JobToken or AccessRule.NodeProjectWrite && !context.GetCaller().IsAuthenticated)
        {
            throw TesseraException.Unauthenticated();
        }
        if (rule is AccessRule.Admin && !context.GetCaller().IsAdmin)
        {
            throw TesseraException.Forbidden("Only site administrators may do this.");
        }
        if (rule is AccessRule.JobToken && context.GetCaller().JobId?.ToString() != context.GetRouteValue("job") as string)
        {
            throw TesseraException.Forbidden("Only the job's own token (TESSERA_TOKEN of the job) may do this.");
        }
        await next(context);
    }
}
