using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>The settings page's custom-field builder in Chromium: it writes the JSON Schema the API takes, and steps aside for one it cannot show.</summary>
public sealed class SchemaBuilderUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    [Fact]
    public async Task Builder_NamesProblems_SavesASchema_ThatFormsAndTheApiCheck()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        using (var client = server.Client(user))
        {
            await client.PutEntityAsync(project, "subjects/S1");
            await client.PutEntityAsync(project, "subjects/S1/sessions/E1");
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/settings");
        var form = page.GetByTestId("schema-session");
        (await form.GetByLabel("Session fields").IsVisibleAsync()).ShouldBeFalse("the raw JSON Schema is folded away behind the builder");

        async Task AddAsync(string name, string type)
        {
            await form.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
            var row = form.Locator(".schema-field").Last;
            await row.GetByLabel("Field name").FillAsync(name);
            await row.GetByLabel("Type").SelectOptionAsync(type);
        }
        await AddAsync("visit", "integer");
        await form.Locator(".schema-field").Last.GetByLabel("Required").CheckAsync();
        await form.Locator(".schema-field").Last.GetByLabel("Description").FillAsync("Visit number, from 1");
        await AddAsync("eye", "choice");
        await AddAsync("scanned", "date");
        await AddAsync("2nd", "boolean");

        // Problems are named before anything is sent.
        await form.GetByRole(AriaRole.Button, new() { Name = "Save session fields" }).ClickAsync();
        var errors = await form.GetByRole(AriaRole.Alert).InnerTextAsync();
        errors.ShouldContain("\"eye\": a choice needs at least one option.");
        errors.ShouldContain("\"2nd\": a name is 1 to 64 letters");
        page.Url.ShouldEndWith("/settings");

        await form.Locator(".schema-field").Nth(1).GetByLabel("Options").FillAsync("left, right");
        await form.Locator(".schema-field").Nth(3).GetByLabel("Field name").FillAsync("consent");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save session fields" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The session schema was saved.");

        using var http = server.Http(user);
        using (var schema = JsonDocument.Parse(await (await http.GetAsync($"api/projects/{project}/schemas/session")).Content.ReadAsStringAsync()))
        {
            var root = schema.RootElement;
            root.GetProperty("type").GetString().ShouldBe("object");
            var properties = root.GetProperty("properties");
            properties.EnumerateObject().Select(p => p.Name).ShouldBe(["visit", "eye", "scanned", "consent"]);
            properties.GetProperty("visit").GetProperty("type").GetString().ShouldBe("integer");
            properties.GetProperty("visit").GetProperty("description").GetString().ShouldBe("Visit number, from 1");
            properties.GetProperty("eye").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ShouldBe(["left", "right"]);
            properties.GetProperty("scanned").GetProperty("format").GetString().ShouldBe("date");
            properties.GetProperty("consent").GetProperty("type").GetString().ShouldBe("boolean");
            root.GetProperty("required").EnumerateArray().Select(e => e.GetString()).ShouldBe(["visit"]);
        }
        // The saved schema comes back into the builder.
        (await page.GetByTestId("schema-session").Locator(".schema-field").CountAsync()).ShouldBe(4);

        // The session's form is built from it, and the API checks it.
        await page.GotoAsync($"/projects/{project}/subjects/S1/sessions/E1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit session" }).ClickAsync();
        // The form slides open: a click during the slide can miss its button.
        await page.Locator("#edit-session.collapse.show").WaitForAsync();
        (await page.GetByLabel("scanned").GetAttributeAsync("type")).ShouldBe("date");
        await page.GetByLabel("eye").SelectOptionAsync("left");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save session" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("visit", Case.Insensitive, "visit is required");
        await page.GetByLabel("visit").FillAsync("3");
        await page.GetByLabel("scanned").FillAsync("2026-01-02");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save session" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The session was saved.");
        (await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1", HttpAssertions.Json("""{"fields":{"visit":"three"}}""")))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1", HttpAssertions.Json("""{"fields":{"visit":4,"eye":"right"}}""")))
            .IsSuccessStatusCode.ShouldBeTrue();
    }

    private static bool SameJson(string a, string b) =>
        System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(a), System.Text.Json.Nodes.JsonNode.Parse(b));

    [Fact]
    public async Task SchemaTheBuilderCannotShow_StaysRawAndUntouched()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        const string Advanced = """{"type":"object","properties":{"site":{"type":"string"},"code":{"type":"string"}},"oneOf":[{"required":["site"]},{"required":["code"]}]}""";
        using var http = server.Http(user);
        (await http.PutAsync($"api/projects/{project}/schemas/subject", HttpAssertions.Json(Advanced))).IsSuccessStatusCode.ShouldBeTrue();
        var before = await (await http.GetAsync($"api/projects/{project}/schemas/subject")).Content.ReadAsStringAsync();

        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/settings");
        var form = page.GetByTestId("schema-subject");
        (await form.GetByRole(AriaRole.Status).InnerTextAsync()).ShouldContain("oneOf");
        (await form.GetByLabel("Subject fields").IsVisibleAsync()).ShouldBeTrue("the raw box is open for it");
        (await form.GetByRole(AriaRole.Button, new() { Name = "Add field" }).IsVisibleAsync()).ShouldBeFalse();

        // Another level's builder saves without touching it.
        var scan = page.GetByTestId("schema-scan");
        await scan.GetByRole(AriaRole.Button, new() { Name = "Add field" }).ClickAsync();
        await scan.GetByLabel("Field name").FillAsync("quality");
        await scan.GetByRole(AriaRole.Button, new() { Name = "Save scan fields" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The scan schema was saved.");
        SameJson(await (await http.GetAsync($"api/projects/{project}/schemas/subject")).Content.ReadAsStringAsync(), before).ShouldBeTrue();

        // Saved as it stands, the subject schema is the same schema.
        await page.GetByTestId("schema-subject").GetByRole(AriaRole.Button, new() { Name = "Save subject fields" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("The subject schema was saved.");
        SameJson(await (await http.GetAsync($"api/projects/{project}/schemas/subject")).Content.ReadAsStringAsync(), before).ShouldBeTrue();
    }
}
