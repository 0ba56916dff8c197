using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
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

    /// <summary>A sum over the whole canvas, to tell one drawn slice from another.</summary>
    private static Task<double> CanvasSumAsync(IPage page) => page.EvaluateAsync<double>("""
        () => {
          const canvas = document.querySelector('#viewer .openseadragon-canvas canvas');
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let sum = 0;
          for (let i = 0; i < data.length; i += 4) sum += data[i];
          return sum;
        }
        """);

    private static async Task WaitForStateAsync(IPage page, string condition) =>
        await page.WaitForFunctionAsync($"() => {{ const s = JSON.parse(document.getElementById('viewer').dataset.state || '{{}}'); return {condition}; }}");

    /// <summary>Waits until the tiles asked for since <paramref name="before"/> tiles had loaded are in, and the view has settled.</summary>
    private static async Task SettledAsync(IPage page, int before)
    {
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > {before}");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(500);
    }

    private static Task<int> TilesLoadedAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0)");

    private async Task<string> UploadScanAsync(string name, Stream content)
    {
        var project = await server.CreateProjectAsync();
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, "subjects/S");
        await client.PutEntityAsync(project, "subjects/S/sessions/E");
        await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
        await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "nifti", name, content);
        return $"/projects/{project}/subjects/S/sessions/E/scans/1";
    }

    [Fact]
    public async Task NiftiVolume_SlicesWithWheelAndKeys_EachAxisHasItsCount()
    {
        string scan;
        await using (var volume = File.OpenRead(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz")))
            scan = await UploadScanAsync("avg152T1.nii.gz", volume);
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        var tiles = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("/iiif/3/", StringComparison.Ordinal)) tiles.Add(request.Url); };
        await page.GotoAsync(scan);
        (await DrawnContrastAsync(page)).ShouldBeGreaterThan(5, "the middle slice is drawn");
        (await page.GetByTestId("viewer-slice").InnerTextAsync()).ShouldBe("46 / 91", "a volume opens at its middle slice");
        (await page.Locator("#viewer-slice").GetAttributeAsync("max")).ShouldBe("90");
        (await page.GetByLabel("Axis").IsVisibleAsync()).ShouldBeTrue();
        (await page.GetByTestId("viewer-window").InnerTextAsync()).ShouldMatch(@"^C \S+ · W \S+$", "the window comes from the volume's range");
        var before = await CanvasSumAsync(page);

        var loaded = await TilesLoadedAsync(page);
        await page.GetByTestId("viewer-canvas").HoverAsync();
        for (var i = 0; i < 8; i++)
        {
            await page.Mouse.WheelAsync(0, 120);
            await page.WaitForTimeoutAsync(120); // OpenSeadragon takes one wheel event per 50 ms
        }
        await WaitForStateAsync(page, "s.z === 53");
        (await page.GetByTestId("viewer-slice").InnerTextAsync()).ShouldBe("54 / 91");
        await SettledAsync(page, loaded);
        (await CanvasSumAsync(page)).ShouldNotBe(before, "another slice is drawn");
        tiles.ShouldContain(url => url.Contains("z=53", StringComparison.Ordinal));

        await page.Locator("#viewer .openseadragon-canvas[tabindex='0']").FocusAsync();
        await page.Keyboard.PressAsync("PageUp");
        await WaitForStateAsync(page, "s.z === 52");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowDown");
        await WaitForStateAsync(page, "s.z === 54");

        await page.GetByLabel("Axis").SelectOptionAsync("y");
        await WaitForStateAsync(page, "s.axis === 'y' && s.volume && s.volume.sizeZ === 109");
        (await page.GetByTestId("viewer-slice").InnerTextAsync()).ShouldBe("55 / 109");
        (await page.GetByTestId("viewer-label").InnerTextAsync()).ShouldContain("91 × 91");
        await page.GetByLabel("Axis").SelectOptionAsync("x");
        await WaitForStateAsync(page, "s.axis === 'x' && s.volume && s.volume.sizeZ === 91");
        (await page.GetByTestId("viewer-slice").InnerTextAsync()).ShouldBe("46 / 91");
        (await page.GetByTestId("viewer-label").InnerTextAsync()).ShouldContain("109 × 91");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        tiles.ShouldContain(url => url.Contains("info.json?axis=y", StringComparison.Ordinal));
        tiles.ShouldContain(url => url.Contains("/default.jpg?axis=x", StringComparison.Ordinal));
        (await page.GetByTestId("viewer-volume").Locator(".viewer-time-group").IsVisibleAsync()).ShouldBeFalse("a 3-D volume has no time points");
        await ShotAsync(page, "viewer-nifti.png");
    }

    /// <summary>
    /// A 4-D NIfTI-1 volume of 16 × 12 × 5 voxels (1 × 2 × 3 mm) and 3 time points, int16: voxel (x, y, z, t) holds
    /// t·1000 + z·100 + y·5 + x.
    /// </summary>
    private static byte[] FourDimensionalNifti()
    {
        const int nx = 16, ny = 12, nz = 5, nt = 3;
        var bytes = new byte[352 + nx * ny * nz * nt * 2];
        var span = bytes.AsSpan();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(span, 348);
        short[] dims = [4, nx, ny, nz, nt, 1, 1, 1];
        for (var i = 0; i < dims.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[(40 + i * 2)..], dims[i]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[70..], 4); // DT_INT16
        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[72..], 16);
        float[] pixdim = [1, 1, 2, 3, 1, 1, 1, 1];
        for (var i = 0; i < pixdim.Length; i++)
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(span[(76 + i * 4)..], pixdim[i]);
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(span[108..], 352);
        "n+1\0"u8.CopyTo(span[344..]);
        var at = 352;
        for (var t = 0; t < nt; t++)
            for (var z = 0; z < nz; z++)
                for (var y = 0; y < ny; y++)
                    for (var x = 0; x < nx; x++, at += 2)
                        System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(span[at..], (short)(t * 1000 + z * 100 + y * 5 + x));
        return bytes;
    }

    [Fact]
    public async Task FourDimensionalNifti_HasATimeSlider_AndItsVoxelAspect()
    {
        var scan = await UploadScanAsync("bold.nii", new MemoryStream(FourDimensionalNifti()));
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        var tiles = new List<string>();
        page.Request += (_, request) => { if (request.Url.Contains("/iiif/3/", StringComparison.Ordinal)) tiles.Add(request.Url); };
        await page.GotoAsync(scan);
        await page.WaitForFunctionAsync("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > 0");
        (await page.GetByTestId("viewer-slice").InnerTextAsync()).ShouldBe("3 / 5");
        (await page.GetByTestId("viewer-time").InnerTextAsync()).ShouldBe("1 / 3");
        // 1 × 2 mm voxels: the 16 × 12 slice is shown 16 × 24, asked for stretched.
        tiles.ShouldContain(url => url.Contains("/full/^16,24/0/default.jpg", StringComparison.Ordinal) || url.Contains("/full/%5E16,24/0/default.jpg", StringComparison.Ordinal));
        await page.RunAndWaitForRequestAsync(
            () => page.Locator("#viewer-time").FillAsync("2"),
            request => request.Url.Contains("/iiif/3/", StringComparison.Ordinal) && request.Url.Contains("t=2", StringComparison.Ordinal));
        await WaitForStateAsync(page, "s.t === 2");
        (await page.GetByTestId("viewer-time").InnerTextAsync()).ShouldBe("3 / 3");
    }

    [Fact]
    public async Task Cine_PlayAdvancesTheStack_PauseStopsIt()
    {
        var scan = await UploadScanAsync("bold.nii", new MemoryStream(FourDimensionalNifti()));
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        await page.GotoAsync(scan);
        await page.WaitForFunctionAsync("() => Number(document.getElementById('viewer').dataset.tilesLoaded || 0) > 0");
        await WaitForStateAsync(page, "s.z === 2");
        await page.GetByLabel("Frames per second").SelectOptionAsync("25");
        await page.GetByRole(AriaRole.Button, new() { Name = "Play" }).ClickAsync();
        await WaitForStateAsync(page, "s.playing && s.z === 4");
        await WaitForStateAsync(page, "s.playing && s.z === 0"); // round again from the last slice
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await WaitForStateAsync(page, "!s.playing");
        var stopped = await page.EvaluateAsync<int>("() => JSON.parse(document.getElementById('viewer').dataset.state).z");
        await page.WaitForTimeoutAsync(600);
        (await page.EvaluateAsync<int>("() => JSON.parse(document.getElementById('viewer').dataset.state).z")).ShouldBe(stopped, "paused, the slice stays");
    }
}
