using Microsoft.Playwright;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// De-identification on the project's Settings page in Chromium: an owner switches it on with a
/// pseudonym pattern (a bad one is refused with the reason), keeps the mapping, and downloads it.
/// </summary>
public sealed class DeidentificationUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    [Fact]
    public async Task Owner_SwitchesDeidentificationOn_IsToldWhyAPatternIsBad_AndDownloadsTheMapping()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var page = await browser.SignedInPageAsync(server.BaseAddress, owner, TestServer.PasswordOf(owner));
        await page.GotoAsync($"/projects/{project}/settings");
        var form = page.GetByTestId("deidentification");
        (await form.GetByRole(AriaRole.Link, new() { Name = "Download the mapping (CSV)" }).CountAsync()).ShouldBe(0);

        await form.GetByLabel("De-identify every DICOM object").CheckAsync();
        await form.GetByLabel("Retain full dates").CheckAsync();
        await form.GetByLabel("Pattern:").FillAsync("case {n}");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save de-identification" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("not a valid subject label");
        // The refused form shows what was sent, to correct.
        (await page.GetByTestId("deidentification").GetByLabel("Pattern:").InputValueAsync()).ShouldBe("case {n}");

        form = page.GetByTestId("deidentification");
        await form.GetByLabel("De-identify every DICOM object").CheckAsync();
        await form.GetByLabel("Pattern:").FillAsync("CASE-{n:000}");
        await form.GetByLabel("Keep the mapping").CheckAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save de-identification" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("De-identification settings saved.");
        form = page.GetByTestId("deidentification");
        (await form.GetByLabel("De-identify every DICOM object").IsCheckedAsync()).ShouldBeTrue();
        (await form.GetByLabel("Retain full dates").IsCheckedAsync()).ShouldBeTrue();
        (await form.GetByLabel("Keep the mapping").IsCheckedAsync()).ShouldBeTrue();
        (await form.GetByLabel("Pattern:").InputValueAsync()).ShouldBe("CASE-{n:000}");
        if (Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR") is { Length: > 0 } directory)
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "project-deidentification.png"), FullPage = true });

        using (var http = server.Http(owner))
        {
            await http.PostAsync($"api/projects/{project}/import",
                new ByteArrayContent(TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), "PID777", "SMITH^JOHN")))
                .ShouldHaveStatus(System.Net.HttpStatusCode.OK);
        }
        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByTestId("deidentification").GetByRole(AriaRole.Link, new() { Name = "Download the mapping (CSV)" }).ClickAsync());
        download.SuggestedFilename.ShouldBe($"{project}-pseudonyms.csv");
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        csv.ShouldStartWith("pseudonym,patient_id,issuer_of_patient_id,study_instance_uid,created_at\r\nCASE-001,PID777,,,");
    }
}
