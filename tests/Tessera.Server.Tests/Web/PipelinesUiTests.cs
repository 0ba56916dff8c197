using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Pipelines;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// The algorithm developer's loop in Chromium: register a tool on the tools page, run it from a
/// session's run dialog, watch its log arrive live on the job page, see it in the session's job
/// history; an owner writes a trigger rule and starts a batch whose progress the Jobs tab shows.
/// </summary>
public sealed class PipelinesUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    private static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR") is { Length: > 0 } directory)
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name), FullPage = true });
    }

    /// <summary>
    /// Opens a dialog that slides open, and waits until it is open: a click while it slides can land beside its
    /// clipped button (the job page then never came, once in a dozen runs).
    /// </summary>
    private static async Task OpenAsync(IPage page, string button, string dialog)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = button }).ClickAsync();
        await Assertions.Expect(page.Locator(dialog)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"^(?!.*\bcollapsing\b).*\bshow\b"));
    }

    [Fact]
    public async Task RegisterRunWatch_ThenTriggerAndBatch()
    {
        if (!Tessera.Pipelines.Executors.Sandbox.IsAvailable && Environment.GetEnvironmentVariable("CI") != "true")
            Assert.Skip("bubblewrap is not installed");
        var (project, owner, member) = await JobApi.ProjectAsync(server);
        var descriptor = JobApi.Tool("ui-greeter", "echo hello [WHO] from the tool; sleep 1; echo [WHO] > output/who.txt; echo done", null, "who.txt");
        descriptor["name"] = "ui-greeter";
        descriptor["inputs"] = new JsonArray(new JsonObject { ["id"] = "who", ["name"] = "Who to greet", ["type"] = "String", ["value-key"] = "[WHO]" });

        var admin = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await admin.GotoAsync("/tools");
        await admin.GetByLabel("Boutiques descriptor (JSON)").FillAsync(descriptor.ToJsonString());
        await admin.GetByRole(AriaRole.Button, new() { Name = "Register tool" }).ClickAsync();
        (await admin.GetByTestId("notice").InnerTextAsync()).ShouldBe("ui-greeter@1.0 was registered.");
        (await admin.GetByTestId("tools").InnerTextAsync()).ShouldContain("ui-greeter@1.0");
        await ShotAsync(admin, "tools.png");

        var page = await browser.SignedInPageAsync(server.BaseAddress, member, TestServer.PasswordOf(member));
        page.SetDefaultTimeout(60000); // a loaded 2-core CI run has taken over 30 s for a form's answer here
        await page.GotoAsync($"/projects/{project}/subjects/S/sessions/E");
        await OpenAsync(page, "Run a tool", "#run-tool");
        await page.GetByLabel("Tool", new() { Exact = true }).SelectOptionAsync("ui-greeter@1.0");
        await page.GetByLabel("Who to greet").FillAsync("retina");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run on subjects/S/sessions/E" }).ClickAsync();

        // The job page: its log streams in, its state moves on by itself.
        // The URL is what is waited for; the page's own live requests are checked below with their own timeouts.
        try
        {
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/jobs/[0-9a-f-]{36}$"), new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 60000 });
        }
        catch (TimeoutException)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "pipelines-ui-run-timeout.png"), FullPage = true });
            throw new ShouldAssertException($"the job page did not open; the page is {page.Url}: {await page.Locator("main").InnerTextAsync()}");
        }
        var log = page.GetByTestId("job-log");
        await Assertions.Expect(log).ToContainTextAsync("hello retina from the tool", new() { Timeout = 30000 });
        await Assertions.Expect(page.Locator("[data-job-state]")).ToHaveTextAsync("complete", new() { Timeout = 30000 });
        await Assertions.Expect(log).ToContainTextAsync("done");
        (await page.GetByTestId("job-events").InnerTextAsync()).ShouldContain("finalizing");
        await ShotAsync(page, "job.png");

        await page.GotoAsync($"/projects/{project}/subjects/S/sessions/E");
        var history = await page.GetByTestId("job-history").InnerTextAsync();
        history.ShouldContain("ui-greeter@1.0");
        history.ShouldContain("complete");
        history.ShouldContain(member);
        await ShotAsync(page, "session-jobs.png");

        var ownerPage = await browser.SignedInPageAsync(server.BaseAddress, owner, TestServer.PasswordOf(owner));
        ownerPage.SetDefaultTimeout(60000);
        await ownerPage.GotoAsync($"/projects/{project}/triggers");
        await ownerPage.GetByLabel("Name").FillAsync("greet-new");
        await ownerPage.GetByLabel("When").SelectOptionAsync("file");
        await ownerPage.GetByLabel("File pattern").FillAsync("**/*.txt");
        await ownerPage.GetByLabel("Tool inputs (JSON)").FillAsync("{\"who\": \"trigger\"}");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        (await ownerPage.GetByTestId("notice").InnerTextAsync()).ShouldBe("Rule greet-new was saved.");
        (await ownerPage.GetByTestId("trigger-rules").InnerTextAsync()).ShouldContain("a file matching **/*.txt is stored");
        await ShotAsync(ownerPage, "triggers.png");
        await ownerPage.GetByLabel("Name").FillAsync("broken");
        await ownerPage.GetByLabel("Tool inputs (JSON)").FillAsync("{not json");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Save rule" }).ClickAsync();
        (await ownerPage.GetByTestId("form-error").InnerTextAsync()).ShouldContain("must be a JSON object");

        using (var client = new TesseraClient(server.Http(member)))
            await client.PutEntityAsync(project, "subjects/S/sessions/F");
        await ownerPage.GotoAsync($"/projects/{project}/jobs");
        await OpenAsync(ownerPage, "Start a batch run", "#new-batch");
        await ownerPage.GetByLabel("Tool to run").SelectOptionAsync("ui-greeter@1.0");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Start batch" }).ClickAsync();
        // "who" is required: the batch is refused with the reason, and nothing is queued.
        (await ownerPage.GetByTestId("form-error").InnerTextAsync()).ShouldContain("Input 'who' (Who to greet) is required.");
        // The form stays open with the reason above it.
        await ownerPage.GetByLabel("Tool to run").SelectOptionAsync("ui-greeter@1.0");
        await ownerPage.GetByLabel("Tool inputs (JSON)").FillAsync("{\"who\": \"batch\"}");
        await ownerPage.GetByRole(AriaRole.Button, new() { Name = "Start batch" }).ClickAsync();
        (await ownerPage.GetByTestId("notice").InnerTextAsync()).ShouldBe("The batch of ui-greeter@1.0 was started.");
        await Assertions.Expect(ownerPage.GetByTestId("batches")).ToContainTextAsync("2 / 2", new() { Timeout = 60000 });
        await Assertions.Expect(ownerPage.GetByTestId("jobs")).ToContainTextAsync("subjects/S/sessions/F", new() { Timeout = 10000 });
        await ShotAsync(ownerPage, "jobs.png");
    }
}
