using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Imaging.Tests.Sources;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// A site whose pyramid builds take four seconds longer (libvips behind a wrapper that waits first), so a
/// browser can see one in progress; pictures from 4 megapixels get one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlowPyramidServer : TestServer
{
    public SlowPyramidServer()
    {
        Directory.CreateDirectory(DataDirectory);
        var wrapper = Path.Combine(DataDirectory, "slow-vips");
        File.WriteAllText(wrapper, "#!/bin/sh\n[ \"$1\" = tiffsave ] && sleep 4\nexec vips \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Settings["Imaging:VipsCommand"] = wrapper;
        Settings["Imaging:PyramidMinPixels"] = "4000000";
    }
}

/// <summary>The viewer while an image's pyramid is built: it says so, shows the stored file, then the pyramid.</summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
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
