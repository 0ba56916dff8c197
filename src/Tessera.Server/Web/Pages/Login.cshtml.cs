using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

[Access(AccessRule.Public)]
public sealed class LoginModel(UserService users) : TesseraPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public void OnGet() => Title = "Sign in";

    public async Task<IActionResult> OnPostAsync()
    {
        Title = "Sign in";
        User? user;
        try
        {
            user = string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password)
                ? null
                : await users.SignInAsync(Username, Password, HttpContext.Connection.RemoteIpAddress?.ToString(), "form", Aborted);
        }
        catch (TesseraException e) when (e is { Kind: ErrorKind.TooManyRequests, RetryAfter: { } wait })
        {
            Error = e.Message;
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }
        if (user is null)
        {
            // One message for every cause, so that it reveals neither usernames nor disabled accounts.
            Error = "The username or password is wrong, or the account is disabled.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await WebAuthentication.SignInAsync(HttpContext, user);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/");
    }
}
