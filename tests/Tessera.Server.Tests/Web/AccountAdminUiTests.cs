using System.Net;
using System.Net.Http.Headers;
using Microsoft.Playwright;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>The account page and the administration pages, in Chromium.</summary>
public sealed class AccountAdminUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    private Task<IPage> SignedInPageAsync(string username, string password) =>
        browser.SignedInPageAsync(server.BaseAddress, username, password);

    private HttpClient Bearer(string token)
    {
        var http = server.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    [Fact]
    public async Task Account_ChangePassword_CreateTokenShownOnce_RevokeIt()
    {
        var user = await server.CreateUserAsync();
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));
        await page.GetByTestId("account-link").ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe(user);

        await page.GetByLabel("Current password").FillAsync("wrong-password");
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("brand-new-pass-1");
        await page.GetByLabel("Repeat the new password").FillAsync("brand-new-pass-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldBe("The current password is wrong.");
        await page.GetByLabel("Current password").FillAsync(TestServer.PasswordOf(user));
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync("brand-new-pass-1");
        await page.GetByLabel("Repeat the new password").FillAsync("brand-new-pass-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Change password" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldStartWith("Your password was changed");
        (await server.Http(user).GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.Http(user, "brand-new-pass-1").GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await page.ReloadAsync();
        (await page.GetByTestId("account-link").InnerTextAsync()).Trim().ShouldBe(user, "this browser stays signed in");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("lab workstation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var token = await page.GetByLabel("New token").InputValueAsync();
        token.ShouldStartWith("tsr_");
        (await Bearer(token).GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await page.GetByTestId("tokens").InnerTextAsync()).ShouldContain("lab workstation");
        await page.GotoAsync("/account");
        (await page.ContentAsync()).ShouldNotContain(token);

        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke lab workstation" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("Token 'lab workstation' was revoked.");
        (await Bearer(token).GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_CreatesUser_MakesAdmin_Disables_ReadsAuditAndStorage()
    {
        var project = await server.CreateProjectAsync();
        using (var http = server.Admin())
        {
            await http.PutAsync($"api/projects/{project}/resources/R/files/a.bin", new ByteArrayContent(new byte[123_456]))
                .ShouldHaveStatus(HttpStatusCode.Created);
        }
        var page = await SignedInPageAsync("admin", TestServer.AdminPassword);
        await page.GetByRole(AriaRole.Link, new() { Name = "Administration" }).ClickAsync();

        var name = "web" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Username").FillAsync(name);
        await page.GetByLabel("E-mail").FillAsync($"{name}@example.org");
        await page.GetByLabel("Initial password").FillAsync("initial-pass-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"User {name} was created.");
        (await server.Http(name, "initial-pass-1").GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await page.GetByLabel("Username").FillAsync(name);
        await page.GetByLabel("Initial password").FillAsync("initial-pass-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create user" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("already");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Make admin {name}" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"{name} is now an administrator.");
        var theirs = await SignedInPageAsync(name, "initial-pass-1");
        (await theirs.GetByRole(AriaRole.Link, new() { Name = "Administration" }).CountAsync()).ShouldBe(1);

        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Disable {name}" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"{name} is disabled and signed out everywhere.");
        await theirs.ReloadAsync();
        (await theirs.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).CountAsync()).ShouldBe(1, "a disabled user's cookie stops working");

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByLabel("User").FillAsync("admin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        var audit = await page.GetByTestId("audit").InnerTextAsync();
        audit.ShouldContain($"/api/projects/{project}/resources/R/files/a.bin");
        page.Url.ShouldContain($"project={project}");
        await page.GetByLabel("From").FillAsync(DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        (await page.GetByTestId("audit").CountAsync()).ShouldBe(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Storage" }).ClickAsync();
        var row = page.GetByTestId("storage").Locator("tr", new() { HasText = project });
        (await row.InnerTextAsync()).ShouldContain("123.5 kB");
    }

    [Fact]
    public async Task Admin_ResetsPasswordShownOnce_SetsOne_RemovesUser()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync();
        using (var http = server.Admin())
        {
            await http.PutAsync($"api/projects/{project}/members/{user}", new StringContent("""{"role":"member"}""", System.Text.Encoding.UTF8, "application/json"))
                .ShouldHaveStatus(HttpStatusCode.Created);
        }
        var theirs = await SignedInPageAsync(user, TestServer.PasswordOf(user));
        var page = await SignedInPageAsync("admin", TestServer.AdminPassword);
        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GotoAsync("/admin");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Reset password of {user}" }).ClickAsync();
        var generated = await page.GetByLabel("Generated password").InputValueAsync();
        generated.Length.ShouldBe(16);
        (await server.Http(user).GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.Http(user, generated).GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await theirs.ReloadAsync();
        (await theirs.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).CountAsync()).ShouldBe(1, "a reset ends the user's sign-ins");
        await page.GotoAsync("/admin");
        (await page.ContentAsync()).ShouldNotContain(generated, Case.Sensitive, "the password is shown once");

        await page.GetByTestId("set-password").GetByLabel("User").SelectOptionAsync(user);
        await page.GetByTestId("set-password").GetByLabel("New password").FillAsync("chosen-pass-12");
        await page.GetByTestId("set-password").GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        (await page.GetByTestId("new-password").InnerTextAsync()).ShouldContain("It is set");
        (await page.ContentAsync()).ShouldNotContain("chosen-pass-12");
        (await server.Http(user, "chosen-pass-12").GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {user}", Exact = true }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldStartWith($"{user} was removed");
        (await page.GetByTestId("users").InnerTextAsync()).ShouldNotContain(user);
        (await server.Http(user, "chosen-pass-12").GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using (var http = server.Admin())
        {
            (await (await http.GetAsync($"api/projects/{project}/members")).Content.ReadAsStringAsync()).ShouldNotContain(user);
        }
    }

    [Fact]
    public async Task Administration_NotForUsers()
    {
        var user = await server.CreateUserAsync();
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));
        (await page.GetByRole(AriaRole.Link, new() { Name = "Administration" }).CountAsync()).ShouldBe(0);
        foreach (var url in new[] { "/admin", "/admin/audit", "/admin/storage" })
        {
            (await page.GotoAsync(url))!.Status.ShouldBe(403, url);
            (await page.GetByTestId("error-message").InnerTextAsync()).ShouldBe("Only site administrators may do this.");
        }
    }
}
