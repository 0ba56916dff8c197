using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Users;

namespace Tessera.Server.Auth;

/// <summary>
/// HTTP Basic (username:password) and <c>Bearer</c> tokens. A successful Basic check is cached
/// for a minute under a hash of the credentials, because password hashing is deliberately slow
/// and scripts send Basic on every request; each cached use still re-reads the account, so a
/// disabled user or a changed password takes effect at once.
/// </summary>
public sealed class ApiAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserService users,
    TokenService tokens,
    IMemoryCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly TimeSpan s_basicCacheTime = TimeSpan.FromMinutes(1);

    /// <summary>Where a held-back sign-in's exception waits for <see cref="AccessRuleMiddleware"/>.</summary>
    public static readonly object HeldBackKey = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        Caller? caller;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            caller = await tokens.AuthenticateAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
            if (caller is null)
            {
                return AuthenticateResult.Fail("The bearer token is unknown, revoked or expired.");
            }
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                caller = await AuthenticateBasicAsync(header["Basic ".Length..].Trim());
            }
            catch (TesseraException e) when (e.Kind == ErrorKind.TooManyRequests)
            {
                // AccessRuleMiddleware answers it (429 with Retry-After) instead of a plain failure's 401.
                Context.Items[HeldBackKey] = e;
                return AuthenticateResult.Fail(e.Message);
            }
            if (caller is null)
            {
                return AuthenticateResult.Fail("The username or password is wrong, or the account is disabled.");
            }
        }
        else
        {
            return AuthenticateResult.Fail("Use HTTP Basic or a Bearer token in the Authorization header.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(TesseraClaims.Principal(caller, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Basic realm=\"Tessera\", Bearer";
        return base.HandleChallengeAsync(properties);
    }

    private async Task<Caller?> AuthenticateBasicAsync(string encoded)
    {
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return null;
        }
        var cacheKey = "basic:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(decoded)));
        if (cache.TryGetValue(cacheKey, out VerifiedPassword? verified) && verified is not null)
        {
            var current = await users.FindByIdAsync(verified.UserId, Context.RequestAborted);
            if (current is not null && !current.IsDisabled && current.PasswordHash == verified.PasswordHash)
            {
                return new Caller(current.Id, current.Username, current.IsAdmin);
            }
            cache.Remove(cacheKey);
        }
        var user = await users.SignInAsync(decoded[..colon], decoded[(colon + 1)..], Context.Connection.RemoteIpAddress?.ToString(), "basic", Context.RequestAborted);
        if (user is null)
        {
            return null;
        }
        cache.Set(cacheKey, new VerifiedPassword(user.Id, user.PasswordHash), s_basicCacheTime);
        return new Caller(user.Id, user.Username, user.IsAdmin);
    }

    /// <summary>A password check that succeeded against this stored hash.</summary>
    private sealed record VerifiedPassword(Guid UserId, string PasswordHash);
}
