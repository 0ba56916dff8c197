using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Dicom.Tests.Corpus;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// The scan page's viewer in Chromium: OpenSeadragon draws the CMU-1 slide from the IIIF service (tiles that are
/// not blank, a scale bar from the slide's pixel size), and a 16-image MR series scrolls with the mouse wheel and
/// takes window presets.
/// </summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class ViewerUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    private static async Task ShotAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR") is { Length: > 0 } directory)
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name) });
    }

    /// <summary>Waits for tiles, then measures the canvas: the spread of its centre's pixel values.</summary>
    private static async Task<double> DrawnContrastAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > 0");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(800); // the zoom-in animation's last frames
        return await page.EvaluateAsync<double>("""
            () => {
              const canvas = document.querySelector('#viewer .openseadragon-canvas canvas');
              const context = canvas.getContext('2d');
              const { width, height } = canvas;
              const data = context.getImageData(Math.floor(width / 4), Math.floor(height / 4), Math.floor(width / 2), Math.floor(height / 2)).data;
              let sum = 0, squares = 0, n = 0;
              for (let i = 0; i < data.length; i += 4) { const v = (data[i] + data[i + 1] + data[i + 2]) / 3; sum += v; squares += v * v; n++; }
              const mean = sum / n;
              return Math.sqrt(squares / n - mean * mean);
            }
            """);
    }

    [Fact]
    public async Task Slide_DrawsTilesWithAScaleBar()
    {
        var project = await server.CreateProjectAsync();
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.PutEntityAsync(project, "subjects/S");
            await client.PutEntityAsync(project, "subjects/S/sessions/E");
            await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
            await using var slide = File.OpenRead(TestCorpus.File("libvips/CMU-1-Small-Region.svs"));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "slides", "CMU-1-Small-Region.svs", slide);
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        var tiles = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("/iiif/3/", StringComparison.Ordinal)) tiles.Add(request.Url); };
        await page.GotoAsync($"/projects/{project}/subjects/S/sessions/E/scans/1");
        (await DrawnContrastAsync(page)).ShouldBeGreaterThan(10, "the slide's tiles are drawn, not a blank canvas");
        (await page.GetByTestId("viewer-label").InnerTextAsync()).ShouldContain("2220 × 2967");
        var scale = page.GetByTestId("viewer-scalebar");
        (await scale.IsVisibleAsync()).ShouldBeTrue();
        (await scale.InnerTextAsync()).ShouldMatch(@"^\d+ (µm|mm)$");
        tiles.ShouldContain(url => url.EndsWith("/info.json", StringComparison.Ordinal));
        tiles.ShouldContain(url => url.EndsWith("/0/default.jpg", StringComparison.Ordinal));
        await ShotAsync(page, "viewer-slide.png");
    }

    [Fact]
    public async Task MultiChannelImage_HasChannelTogglesAndPlaneSliders()
    {
        var project = await server.CreateProjectAsync();
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.PutEntityAsync(project, "subjects/S");
            await client.PutEntityAsync(project, "subjects/S/sessions/E");
            await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
            await using var ome = File.OpenRead(TestCorpus.File("libvips/multi-channel-z-series.ome.tif"));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "microscopy", "cells.ome.tif", ome);
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await page.GotoAsync($"/projects/{project}/subjects/S/sessions/E/scans/1");
        (await DrawnContrastAsync(page)).ShouldBeGreaterThan(5, "the composite is drawn");
        var toggles = page.GetByTestId("viewer-channels").Locator("input[type=checkbox]");
        (await toggles.CountAsync()).ShouldBe(3);
        (await page.Locator("#viewer-z").IsVisibleAsync()).ShouldBeTrue();
        // The tiles asked for after the toggle carry the channels left on (waited for, not sampled).
        await page.RunAndWaitForRequestAsync(
            () => toggles.Nth(1).UncheckAsync(),
            request => request.Url.Contains("/iiif/3/", StringComparison.Ordinal) && request.Url.Contains("channels=0,2", StringComparison.Ordinal));
        await page.WaitForFunctionAsync("() => JSON.stringify(JSON.parse(document.getElementById('viewer').dataset.state).channels) === '[0,2]'");
        // A channel's white point, let go: the tiles carry every channel's contrast.
        await page.RunAndWaitForRequestAsync(
            () => page.Locator("input[data-contrast='0-high']").FillAsync("120"),
            request => request.Url.Contains("/iiif/3/", StringComparison.Ordinal) && request.Url.Contains("contrast=0:120,0:255,0:255", StringComparison.Ordinal));
        await ShotAsync(page, "viewer-channels.png");
    }

    [Fact]
    public async Task MrSeries_WheelScrollsFrames_PresetsWindow()
    {
        var project = await server.CreateProjectAsync();
        string? target = null;
        using (var client = new TesseraClient(server.Admin()))
        {
            foreach (var file in Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).Order())
            {
                await using var content = File.OpenRead(file);
                var report = await client.ImportFileAsync(project, Path.GetFileName(file), content);
                target ??= report.Files[0].Target;
            }
        }
        target.ShouldNotBeNull();
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await page.GotoAsync($"/projects/{project}/{target}");
        (await DrawnContrastAsync(page)).ShouldBeGreaterThan(5, "the MR frame is drawn");
        (await page.GetByTestId("viewer-frame").InnerTextAsync()).ShouldBe("1 / 16");
        var canvas = page.GetByTestId("viewer-canvas");
        await canvas.HoverAsync();
        await page.Mouse.WheelAsync(0, 120);
        await page.WaitForFunctionAsync("() => JSON.parse(document.getElementById('viewer').dataset.state).index === 1");
        (await page.GetByTestId("viewer-frame").InnerTextAsync()).ShouldBe("2 / 16");
        await page.RunAndWaitForRequestAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Brain" }).ClickAsync(),
            request => request.Url.Contains("/iiif/3/", StringComparison.Ordinal) && request.Url.Contains("window=40,80", StringComparison.Ordinal));
        await page.WaitForFunctionAsync("() => JSON.parse(document.getElementById('viewer').dataset.state).window !== null");
        (await page.GetByTestId("viewer-window").InnerTextAsync()).ShouldBe("C 40 · W 80");
        await ShotAsync(page, "viewer-mr.png");

        // The session's table of scans shows the series' thumbnail.
        await page.GotoAsync($"/projects/{project}/{target[..target.IndexOf("/scans/", StringComparison.Ordinal)]}");
        var thumbnail = page.GetByTestId("scans").Locator("img.thumbnail").First;
        await thumbnail.ScrollIntoViewIfNeededAsync();
        await page.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=scans] img.thumbnail'); return i && i.complete && i.naturalWidth > 0; }");
        (await thumbnail.EvaluateAsync<int>("i => i.naturalWidth")).ShouldBe(256);
        await ShotAsync(page, "session-thumbnails.png");
    }
}
