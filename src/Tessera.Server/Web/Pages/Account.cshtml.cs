using Microsoft.AspNetCore.Mvc;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages;

/// <summary>The signed-in user's own account: password and API tokens.</summary>
[Access(AccessRule.Authenticated)]
public sealed class AccountModel(UserService users, TokenService tokens) : TesseraPageModel
{
    public static readonly int[] Lifetimes = [7, 30, 90, 365];

    public User Me { get; private set; } = null!;

    public IReadOnlyList<ApiToken> Tokens { get; private set; } = [];

    /// <summary>A token just created: its secret is shown in this one response and never again.</summary>
    public string? NewSecret { get; private set; }

    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? RepeatPassword { get; set; }

    [BindProperty]
    public string? TokenName { get; set; }

    [BindProperty]
    public int TokenDays { get; set; } = 90;

    [BindProperty]
    public string? TokenProject { get; set; }

    [BindProperty]
    public Guid TokenId { get; set; }

    private async Task LoadAsync()
    {
        Title = "Your account";
        Crumbs.Add(new Crumb("Account"));
        Me = await users.GetAsync(Caller.RequireUserId(), Aborted);
        Tokens = await tokens.ListAsync(Caller, Aborted);
    }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostPasswordAsync()
    {
        await LoadAsync();
        return await SubmitAsync(async () =>
        {
            if (NewPassword != RepeatPassword)
            {
                throw TesseraException.Invalid("The new password and its repetition differ.");
            }
            if (await users.SignInAsync(Me.Username, CurrentPassword ?? "", HttpContext.Connection.RemoteIpAddress?.ToString(), "password change", Aborted) is null)
            {
                throw TesseraException.Invalid("The current password is wrong.");
            }
            await users.SetPasswordAsync(Me.Id, NewPassword ?? "", Aborted);
            // The new password ends every other sign-in; this one is renewed.
            await WebAuthentication.SignInAsync(HttpContext, await users.GetAsync(Me.Id, Aborted));
            return "/account";
        }, "Your password was changed; other browsers signed in as you were signed out.");
    }

    /// <summary>Shows the new secret in this response, not after a redirect: it must not travel in a cookie or be shown twice.</summary>
    public async Task<IActionResult> OnPostCreateTokenAsync()
    {
        await LoadAsync();
        var project = string.IsNullOrWhiteSpace(TokenProject) ? null : TokenProject.Trim();
        if (await TryAsync(async () => (_, NewSecret) = await tokens.CreateAsync(Caller, TokenName?.Trim() ?? "", TokenDays, project, Aborted)))
        {
            Tokens = await tokens.ListAsync(Caller, Aborted);
            TokenName = null;
        }
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeTokenAsync()
    {
        await LoadAsync();
        var name = Tokens.FirstOrDefault(t => t.Id == TokenId)?.Name ?? "The token";
        return await SubmitAsync(async () =>
        {
            await tokens.DeleteAsync(Caller, TokenId, Aborted);
            return "/account";
        }, $"Token '{name}' was revoked.");
    }
}
