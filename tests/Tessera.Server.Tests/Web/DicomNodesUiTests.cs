using Microsoft.Playwright;
using Shouldly;
using Tessera.Server.Tests.DicomNetwork;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>The AE table page in Chromium: an admin adds a node, echoes it (storescp answers), is told why a bad row is refused, removes it.</summary>
public sealed class DicomNodesUiTests(DicomNodeServer server, BrowserFixture browser) : IClassFixture<DicomNodeServer>
{
    [Fact]
    public async Task Admin_AddsEchoesAndRemovesANode()
    {
        await using var storescp = await StorescpProcess.StartAsync("UI_SCP");
        var project = await server.CreateProjectAsync();
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await page.GotoAsync("/admin/dicom");

        await page.GetByLabel("AE title").FillAsync("UI_SCP");
        await page.GetByLabel("Host").FillAsync("127.0.0.1");
        await page.GetByLabel("Port").FillAsync(storescp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("find").CheckAsync();
        await page.GetByLabel("Project").FillAsync(project);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save node" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("UI_SCP is in the AE table.");
        var row = await page.GetByTestId("dicom-nodes").InnerTextAsync();
        row.ShouldContain("UI_SCP");
        row.ShouldContain("echo");
        row.ShouldContain("find");
        row.ShouldContain(project);

        await page.GetByRole(AriaRole.Button, new() { Name = "Echo UI_SCP" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldStartWith("UI_SCP answered the echo with 0x0000");
        if (Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR") is { Length: > 0 } directory)
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "admin-dicom.png") });

        await page.GetByLabel("AE title").FillAsync("BAD\\AE");
        await page.GetByLabel("Host").FillAsync("127.0.0.1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save node" }).ClickAsync();
        (await page.GetByTestId("form-error").InnerTextAsync()).ShouldContain("is not an AE title");

        page.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove UI_SCP" }).ClickAsync();
        (await page.GetByTestId("notice").InnerTextAsync()).ShouldBe("UI_SCP was removed from the AE table.");
        (await page.GetByTestId("dicom-nodes").InnerTextAsync()).ShouldNotContain("UI_SCP");
    }
}
