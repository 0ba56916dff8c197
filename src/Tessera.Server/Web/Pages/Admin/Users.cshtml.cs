using Microsoft.AspNetCore.Mvc;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Server.Auth;

namespace Tessera.Server.Web.Pages.Admin;

/// <summary>The site's users: create, disable and enable, give and take the admin right, reset passwords, remove.</summary>
[Access(AccessRule.Admin)]
public sealed class UsersModel(UserService users) : TesseraPageModel
{
    public IReadOnlyList<User> Users { get; private set; } = [];

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Email { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool Admin { get; set; }

    /// <summary>A password just set by the reset form: shown in this one response, never stored in the page again.</summary>
    public (string Username, string Password, bool Generated)? NewPassword { get; private set; }

    /// <summary>The change a row's button asks for: admin, not-admin, disable or enable.</summary>
    [BindProperty]
    public string? Change { get; set; }

    private async Task LoadAsync()
    {
        Title = "Users";
        Crumbs.Add(new Crumb("Administration", "/admin"));
        Crumbs.Add(new Crumb("Users"));
        Users = await users.ListAsync(Aborted);
    }

    public Task OnGetAsync() => LoadAsync();

    public async Task<IActionResult> OnPostCreateAsync()
    {
        await LoadAsync();
        var username = Username?.Trim() ?? "";
        return await SubmitAsync(async () =>
        {
            await users.CreateAsync(username, Password ?? "", string.IsNullOrWhiteSpace(Email) ? null : Email.Trim(), Admin, Aborted);
            return "/admin";
        }, $"User {username} was created{(Admin ? " as an administrator" : "")}.");
    }

    public async Task<IActionResult> OnPostChangeAsync()
    {
        await LoadAsync();
        var username = Username ?? "";
        var (isAdmin, isDisabled, done) = Change switch
        {
            "admin" => ((bool?)true, (bool?)null, "is now an administrator"),
            "not-admin" => (false, null, "is no longer an administrator"),
            "disable" => (null, true, "is disabled and signed out everywhere"),
            _ => (null, false, "is enabled again"),
        };
        return await SubmitAsync(async () =>
        {
            await users.UpdateAsync(username, isAdmin, isDisabled, null, Caller, Aborted);
            return "/admin";
        }, $"{username} {done}.");
    }

    /// <summary>Sets a user's password: the one typed, or (left empty) a generated one shown once. Their sign-ins end.</summary>
    public async Task<IActionResult> OnPostPasswordAsync()
    {
        await LoadAsync();
        var username = Username ?? "";
        var generated = string.IsNullOrEmpty(Password);
        var password = generated ? UserService.GeneratePassword() : Password!;
        if (await TryAsync(async () =>
            {
                var user = await users.FindAsync(username, Aborted) ?? throw Archive.TesseraException.NotFound($"User '{username}'");
                await users.SetPasswordAsync(user.Id, password, Aborted);
            }))
        {
            NewPassword = (username, password, generated);
            (Username, Password) = (null, null);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync()
    {
        await LoadAsync();
        var username = Username ?? "";
        return await SubmitAsync(async () =>
        {
            await users.DeleteAsync(username, Caller, Aborted);
            return "/admin";
        }, $"{username} was removed, with their memberships and tokens; what they stored and the audit trail stay.");
    }
}
