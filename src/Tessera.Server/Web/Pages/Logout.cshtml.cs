using Microsoft.AspNetCore.Mvc;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

/// <summary>Signing out is a POST (with antiforgery), so that a link on another site cannot do it.</summary>
[Access(AccessRule.Public)]
public sealed class LogoutModel : TesseraPageModel
{
    public void OnGet() => Title = "Sign out";

    public async Task<IActionResult> OnPostAsync()
    {
        await WebAuthentication.SignOutAsync(HttpContext);
        return LocalRedirect("/");
    }
}
