using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Server.Auth;

namespace Tessera.Server.Web;

/// <summary>
/// The web interface's sign-in: an HttpOnly, SameSite=Lax cookie that expires after
/// <see cref="WebOptions.SessionTimeout"/> without activity. Every request re-reads the account,
/// so disabling a user, changing the password or the admin flag takes effect at once.
/// </summary>
public static class WebAuthentication
{
    public const string CookieScheme = "TesseraWeb";
    private const string StampClaim = "tessera:stamp";

    public static AuthenticationBuilder AddTesseraCookie(this AuthenticationBuilder builder, WebOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return builder.AddCookie(CookieScheme, cookie =>
        {
            cookie.Cookie.Name = "tessera";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = options.SessionTimeout;
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.LogoutPath = "/logout";
            cookie.Events.OnValidatePrincipal = ValidateAsync;
        });
    }

    public static Task SignInAsync(HttpContext context, User user)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.SignInAsync(CookieScheme, PrincipalFor(user), new AuthenticationProperties { IsPersistent = false });
    }

    public static Task SignOutAsync(HttpContext context) => context.SignOutAsync(CookieScheme);

    private static ClaimsPrincipal PrincipalFor(User user)
    {
        var principal = TesseraClaims.Principal(new Caller(user.Id, user.Username, user.IsAdmin), CookieScheme);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(StampClaim, StampOf(user)));
        return principal;
    }

    /// <summary>Changes whenever the password does; the hash itself never leaves the server.</summary>
    private static string StampOf(User user) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user.PasswordHash)))[..16];

    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(TesseraClaims.UserId);
        var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
        var user = Guid.TryParse(id, out var userId) ? await users.FindByIdAsync(userId, context.HttpContext.RequestAborted) : null;
        if (user is null || user.IsDisabled || context.Principal!.FindFirstValue(StampClaim) != StampOf(user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        if (context.Principal!.HasClaim(TesseraClaims.Admin, "true") != user.IsAdmin)
        {
            context.ReplacePrincipal(PrincipalFor(user));
            context.ShouldRenew = true;
        }
    }
}
