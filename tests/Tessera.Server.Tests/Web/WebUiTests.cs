using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>The web interface in a real Chromium, against a real server.</summary>
public sealed partial class WebUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    private Task<IPage> SignedInPageAsync(string username, string password) =>
        browser.SignedInPageAsync(server.BaseAddress, username, password);

    private Task<IPage> AnonymousPageAsync() => browser.NewPageAsync(server.BaseAddress);

    /// <summary>
    /// Submits the button's form as the button would, without a pointer click: on a loaded machine a click on a form
    /// just opened was now and then lost, and nothing was submitted (clicking itself is tested by the other forms).
    /// </summary>
    private static async Task SubmitAsync(ILocator button) => await button.EvaluateAsync("button => button.form.requestSubmit(button)");

    [Fact]
    public async Task Login_CreateProject_LandsOnItsPage_AndItIsListed()
    {
        var user = await server.CreateUserAsync();
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));
        (await page.GetByTestId("account-link").InnerTextAsync()).Trim().ShouldBe(user);

        await page.GetByRole(AriaRole.Link, new() { Name = "New project" }).ClickAsync();
        var id = "web" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Project ID").FillAsync(id);
        await page.GetByLabel("Name").FillAsync("Retina study");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();

        await page.WaitForURLAsync($"**/projects/{id}");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Retina study");
        await page.GotoAsync("/");
        (await page.GetByTestId("projects").InnerTextAsync()).ShouldContain(id);
    }

    [Fact]
    public async Task Login_WrongPassword_SaysSo_StaysSignedOut()
    {
        var page = await AnonymousPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).InnerTextAsync()).ShouldContain("username or password is wrong");
        (await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task PrivatePage_Anonymous_RedirectsToLogin_ThenBack()
    {
        var project = await server.CreateProjectAsync();
        var page = await AnonymousPageAsync();
        await page.GotoAsync("/projects/new");
        page.Url.ShouldContain("/login?returnUrl=%2Fprojects%2Fnew");
        await page.GetByLabel("Username").FillAsync("admin");
        await page.GetByLabel("Password").FillAsync(TestServer.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/projects/new");
        await page.GotoAsync($"/projects/{project}");
        (await page.Locator("h1").InnerTextAsync()).ShouldBe($"Project {project}");
    }

    [Fact]
    public async Task Anonymous_BrowsesPublicProject_PrivateOneIsNotFound()
    {
        var open = await server.CreateProjectAsync(visibility: Visibility.Public);
        var closed = await server.CreateProjectAsync();
        using (var admin = new TesseraClient(server.Admin()))
        {
            await admin.PutEntityAsync(open, "subjects/SUBJ-01", new EntityBody(Description: "first subject"));
            await admin.PutEntityAsync(closed, "subjects/SECRET-01");
        }
        var page = await AnonymousPageAsync();

        await page.GotoAsync("/");
        var list = await page.GetByTestId("projects").InnerTextAsync();
        list.ShouldContain(open);
        list.ShouldNotContain(closed);
        await page.GetByRole(AriaRole.Link, new() { Name = open, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "SUBJ-01" }).ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe("Subject SUBJ-01");

        var response = await page.GotoAsync($"/projects/{closed}");
        response!.Status.ShouldBe(404);
        (await page.GetByTestId("error-message").InnerTextAsync()).ShouldBe($"Project '{closed}' was not found.");
        (await page.ContentAsync()).ShouldNotContain("SECRET-01");
    }

    [Fact]
    public async Task Outsider_DoesNotSeePrivateProject_InListOrByUrl()
    {
        var closed = await server.CreateProjectAsync();
        var outsider = await server.CreateUserAsync();
        var page = await SignedInPageAsync(outsider, TestServer.PasswordOf(outsider));

        (await page.ContentAsync()).ShouldNotContain(closed);
        var response = await page.GotoAsync($"/projects/{closed}/subjects/S1");
        response!.Status.ShouldBe(404);
        (await page.GetByTestId("error-message").InnerTextAsync()).ShouldBe($"Project '{closed}' was not found.");
    }

    [Fact]
    public async Task XssProbe_ScriptInLabelsFieldsAndDescriptions_ShowsAsText()
    {
        const string probe = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">";
        var project = await server.CreateProjectAsync(visibility: Visibility.Public);
        using (var http = server.Admin())
        {
            await http.PutAsync($"api/projects/{project}/schemas/subject", HttpAssertions.Json(
                """{"type":"object","properties":{"diagnosis":{"type":"string"}}}""")).ShouldHaveStatus(System.Net.HttpStatusCode.OK);
        }
        using (var admin = new TesseraClient(server.Admin()))
        {
            var fields = System.Text.Json.JsonSerializer.SerializeToElement(new { diagnosis = probe });
            await admin.PutEntityAsync(project, "subjects/S1", new EntityBody(Description: probe, Fields: fields));
            await admin.PutEntityAsync(project, "subjects/S1/sessions/E1", new EntityBody(Description: probe));
        }
        var page = await AnonymousPageAsync();
        var alerts = 0;
        page.Dialog += (_, dialog) => { alerts++; _ = dialog.DismissAsync(); };

        foreach (var url in new[] { $"/projects/{project}", $"/projects/{project}/subjects/S1", $"/projects/{project}/subjects/S1/sessions/E1" })
        {
            await page.GotoAsync(url);
            (await page.EvaluateAsync<int?>("() => window.__xss ?? null")).ShouldBeNull($"script ran on {url}");
            (await page.Locator("main").InnerTextAsync()).ShouldContain(probe);
        }
        alerts.ShouldBe(0);
    }

    [Fact]
    public async Task BrowseToScan_DownloadFile_BytesMatch()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        var content = RandomNumberGenerator.GetBytes(300_000);
        using (var client = server.Client(user))
        {
            await client.PutEntityAsync(project, "subjects/S1");
            await client.PutEntityAsync(project, "subjects/S1/sessions/E1", new EntityBody(Type: "MR"));
            await client.PutEntityAsync(project, "subjects/S1/sessions/E1/scans/2", new EntityBody(Type: "T1w"));
            await client.UploadFileAsync(project, "subjects/S1/sessions/E1/scans/2", "NIFTI", "t1.nii.gz", new MemoryStream(content));
        }
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));

        await page.GetByRole(AriaRole.Link, new() { Name = project }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "S1", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "E1", Exact = true }).ClickAsync();
        var scans = await page.GetByTestId("scans").InnerTextAsync();
        scans.ShouldContain("T1w");
        scans.ShouldContain("300 kB");
        (await page.GetByTestId("history").InnerTextAsync()).ShouldContain("File stored: scans/2/resources/NIFTI/files/t1.nii.gz");
        await page.GetByRole(AriaRole.Link, new() { Name = "2", Exact = true }).ClickAsync();
        (await page.Locator("nav[aria-label=Breadcrumb]").InnerTextAsync()).ShouldMatch(SpacedCrumbs(project));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "t1.nii.gz" }).ClickAsync());
        var saved = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"));
        await download.SaveAsAsync(saved);
        (await File.ReadAllBytesAsync(saved)).ShouldBe(content);
        File.Delete(saved);
    }

    [Fact]
    public async Task Members_OwnerAddsChangesAndRemoves_TheNewMemberSeesTheProject()
    {
        var owner = await server.CreateUserAsync();
        var colleague = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var page = await SignedInPageAsync(owner, TestServer.PasswordOf(owner));
        await page.GotoAsync($"/projects/{project}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Members" }).ClickAsync();

        await page.GetByLabel("Username").FillAsync("nobody-" + colleague);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldBe($"User 'nobody-{colleague}' was not found.");

        await page.GetByLabel("Username").FillAsync(colleague);
        await page.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("Member");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"{colleague} is now a member.");
        (await page.GetByTestId("members").InnerTextAsync()).ShouldContain(colleague);

        var theirs = await SignedInPageAsync(colleague, TestServer.PasswordOf(colleague));
        (await theirs.GetByTestId("projects").InnerTextAsync()).ShouldContain(project);
        await theirs.GotoAsync($"/projects/{project}");
        (await theirs.GetByRole(AriaRole.Heading, new() { Name = "Import files" }).CountAsync()).ShouldBe(1);

        await page.GetByLabel($"Role of {colleague}").SelectOptionAsync("Collaborator");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Change role of {colleague}" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"{colleague} is now a collaborator.");
        await theirs.ReloadAsync();
        (await theirs.GetByRole(AriaRole.Heading, new() { Name = "Import files" }).CountAsync()).ShouldBe(0, "collaborators only read");

        await page.GetByLabel($"Role of {owner}").SelectOptionAsync("Member");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Change role of {owner}" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("at least one owner");

        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Remove {colleague}" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"{colleague} was removed from the project.");
        (await theirs.GotoAsync($"/projects/{project}"))!.Status.ShouldBe(404);
    }

    [Fact]
    public async Task Settings_RenameMakePublicAddFieldsThenDelete()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        using (var client = server.Client(owner))
        {
            await client.PutEntityAsync(project, "subjects/S1");
        }
        var page = await SignedInPageAsync(owner, TestServer.PasswordOf(owner));
        await page.GotoAsync($"/projects/{project}/settings");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Glaucoma cohort");
        await page.GetByLabel("Public: anyone").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("Settings saved.");
        var anonymous = await AnonymousPageAsync();
        await anonymous.GotoAsync($"/projects/{project}");
        (await anonymous.Locator("h1").InnerTextAsync()).ShouldBe("Glaucoma cohort");

        // The raw JSON Schema is behind the field builder (SchemaBuilderUiTests).
        await page.GetByTestId("schema-subject").Locator("summary").ClickAsync();
        await page.GetByLabel("Subject fields").FillAsync("{ not json");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save subject fields" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldStartWith("The subject schema is not valid JSON");
        (await page.GetByLabel("Subject fields").InputValueAsync()).ShouldBe("{ not json", "the rejected text stays to be corrected");
        await page.GetByLabel("Subject fields").FillAsync("""{"type":"object","properties":{"eye":{"type":"string","enum":["left","right"]}}}""");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save subject fields" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The subject schema was saved.");
        await page.GetByRole(AriaRole.Link, new() { Name = "Subjects" }).ClickAsync();
        (await page.GetByTestId("subjects").Locator("th").AllInnerTextsAsync()).ShouldContain("eye");

        await page.GotoAsync($"/projects/{project}/settings");
        await page.Locator("#confirm").FillAsync("wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete this project" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain($"type its ID ({project})");
        await page.Locator("#confirm").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete this project" }).ClickAsync();
        await page.WaitForURLAsync(server.BaseAddress.ToString());
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe($"Project {project} was deleted with all its data.");
        (await page.GotoAsync($"/projects/{project}"))!.Status.ShouldBe(404);
    }

    [Fact]
    public async Task Search_FindsAcrossReadableProjects_ByTextFieldDateAndModality_NeverInOthersPrivateOnes()
    {
        var user = await server.CreateUserAsync();
        var mine = await server.CreateProjectAsync(user);
        var open = await server.CreateProjectAsync(visibility: Visibility.Public);
        var closed = await server.CreateProjectAsync();
        var tag = Guid.NewGuid().ToString("N")[..6];
        using (var http = server.Admin())
        {
            await http.PutAsync($"api/projects/{open}/schemas/subject", HttpAssertions.Json(
                """{"type":"object","properties":{"diagnosis":{"type":"string"}}}""")).ShouldHaveStatus(System.Net.HttpStatusCode.OK);
        }
        using (var admin = new TesseraClient(server.Admin()))
        {
            await admin.PutEntityAsync(mine, $"subjects/ALPHA-{tag}");
            await admin.PutEntityAsync(mine, $"subjects/ALPHA-{tag}/sessions/V1", new EntityBody(Type: "MR", Date: new DateOnly(2024, 3, 1)));
            var fields = System.Text.Json.JsonSerializer.SerializeToElement(new { diagnosis = $"glaucoma-{tag}" });
            await admin.PutEntityAsync(open, $"subjects/BETA-{tag}", new EntityBody(Fields: fields));
            await admin.PutEntityAsync(open, $"subjects/BETA-{tag}/sessions/V1", new EntityBody(Type: "CT", Date: new DateOnly(2025, 1, 10)));
            await admin.PutEntityAsync(closed, $"subjects/ALPHA-SECRET-{tag}");
            await admin.PutEntityAsync(closed, $"subjects/ALPHA-SECRET-{tag}/sessions/V1", new EntityBody(Type: "CT", Date: new DateOnly(2025, 1, 10)));
        }
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));

        await page.GetByLabel("Search subjects and sessions").FillAsync($"alpha-{tag}");
        await page.GetByLabel("Search subjects and sessions").PressAsync("Enter");
        await page.WaitForURLAsync("**/search?q=*");
        (await page.GetByTestId("subject-hits").InnerTextAsync()).ShouldContain($"ALPHA-{tag}");
        (await page.Locator("main").InnerTextAsync()).ShouldNotContain("SECRET");
        (await page.GetByTestId("session-hits").InnerTextAsync()).ShouldContain("2024-03-01");

        await page.GotoAsync($"/search?q=glaucoma-{tag}");
        (await page.GetByTestId("subject-hits").InnerTextAsync()).ShouldContain($"BETA-{tag}");

        await page.GotoAsync($"/search?q={tag}");
        await page.GetByLabel("Modality").FillAsync("ct");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        var sessions = await page.GetByTestId("session-hits").InnerTextAsync();
        sessions.ShouldContain($"BETA-{tag}");
        sessions.ShouldNotContain($"ALPHA-{tag}");
        await page.GetByLabel("Modality").FillAsync("");
        await page.GetByLabel("Sessions from").FillAsync("2025-01-01");
        await page.GetByLabel("to", new() { Exact = true }).FillAsync("2025-01-31");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        (await page.GetByTestId("subject-hits").InnerTextAsync()).ShouldNotContain($"ALPHA-{tag}");
        await page.GetByRole(AriaRole.Link, new() { Name = $"BETA-{tag}" }).First.ClickAsync();
        (await page.Locator("h1").InnerTextAsync()).ShouldBe($"Subject BETA-{tag}");

        var anonymous = await AnonymousPageAsync();
        await anonymous.GotoAsync($"/search?q={tag}");
        var seen = await anonymous.Locator("main").InnerTextAsync();
        seen.ShouldContain($"BETA-{tag}");
        seen.ShouldNotContain($"ALPHA-{tag}");
    }

    [Fact]
    public async Task Session_EditTypeDateAndCustomFields_RefusedValuesStayInTheForm()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        using (var http = server.Http(user))
        {
            await http.PutAsync($"api/projects/{project}/schemas/session", HttpAssertions.Json("""
                {"type":"object","properties":{
                  "visit":{"type":"integer","minimum":1,"description":"Visit number, from 1"},
                  "eye":{"type":"string","enum":["left","right"]},
                  "consent":{"type":"boolean"}}}
                """)).ShouldHaveStatus(System.Net.HttpStatusCode.OK);
        }
        using (var client = server.Client(user))
        {
            await client.PutEntityAsync(project, "subjects/S1");
            await client.PutEntityAsync(project, "subjects/S1/sessions/E1");
        }
        var page = await SignedInPageAsync(user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/subjects/S1/sessions/E1");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit session" }).ClickAsync();
        await page.GetByLabel("Type (modality)").FillAsync("OCT");
        await page.GetByLabel("visit").FillAsync("0");
        await page.GetByLabel("eye").SelectOptionAsync("right");
        await SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Save session" }));
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("visit");
        (await page.GetByLabel("visit").InputValueAsync()).ShouldBe("0");
        (await page.GetByLabel("Type (modality)").InputValueAsync()).ShouldBe("OCT");

        await page.GetByLabel("visit").FillAsync("2");
        await page.GetByLabel("consent").CheckAsync();
        await SubmitAsync(page.GetByRole(AriaRole.Button, new() { Name = "Save session" }));
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The session was saved.");
        var fields = await page.GetByTestId("fields").InnerTextAsync();
        fields.ShouldContain("2");
        fields.ShouldContain("right");
        fields.ShouldContain("true");
        (await page.Locator("main").InnerTextAsync()).ShouldContain("OCT");
        using var check = server.Client(user);
        var session = await check.GetSessionAsync(project, "S1", "E1");
        session.Fields.GetProperty("visit").GetInt32().ShouldBe(2);
        session.Type.ShouldBe("OCT");
    }

    private static string SpacedCrumbs(string project) => $@"Projects\s+{Regex.Escape(project)}\s+S1\s+E1\s+2";
}
