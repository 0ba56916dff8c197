using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Imaging;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>The viewer while an image's pyramid is built: it says so, shows the stored file, then the pyramid.</summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class PyramidViewerUiTests(SlowPyramidServer server, BrowserFixture browser) : IClassFixture<SlowPyramidServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-pyramid-ui-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task FlatTiff_ShowsTheBuildsProgress_ThenReopensFromThePyramid()
    {
        var project = await server.CreateProjectAsync();
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.PutEntityAsync(project, "subjects/S");
            await client.PutEntityAsync(project, "subjects/S/sessions/E");
            await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
            await using var flat = File.OpenRead(VipsTool.Picture(_work, "stitched.tif", 3000, 2000));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "microscopy", "stitched.tif", flat);
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await page.GotoAsync($"/projects/{project}/subjects/S/sessions/E/scans/1");
        var progress = page.GetByTestId("viewer-pyramid");
        await progress.WaitForAsync(new() { State = WaitForSelectorState.Visible });
        (await progress.InnerTextAsync()).ShouldContain("Building the image's pyramid");
        (await progress.InnerTextAsync()).ShouldContain("Shown from the stored file meanwhile");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > 0");
        (await page.GetByTestId("viewer-label").InnerTextAsync()).ShouldEndWith("· TIFF");
        if (Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR") is { Length: > 0 } directory)
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, "viewer-pyramid-building.png") });

        // Reopened from the pyramid (its levels; its tiles are checked over HTTP in PyramidTests).
        await progress.WaitForAsync(new() { State = WaitForSelectorState.Hidden, Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=viewer-label]').textContent.endsWith('pyramidal TIFF')");
    }
}
