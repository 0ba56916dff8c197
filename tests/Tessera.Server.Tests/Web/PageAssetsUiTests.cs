using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// Every page of the web interface, opened in Chromium, gets every asset it asks for: no request to the server
/// answered with an error or failed, and no image left broken. On a clean clone (CI) this is what proves the build
/// embedded the npm packages' files (the viewer's OpenSeadragon button images were once globbed before npm had
/// installed them, so a first build served none of them).
/// </summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class PageAssetsUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    [Fact]
    public async Task EveryPage_GetsEveryAssetItAsksFor()
    {
        var project = await server.CreateProjectAsync();
        const string session = "subjects/S/sessions/E";
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.PutEntityAsync(project, "subjects/S");
            await client.PutEntityAsync(project, session);
            await client.PutEntityAsync(project, $"{session}/scans/1");
            await using var slide = File.OpenRead(TestCorpus.File("libvips/CMU-1-Small-Region.svs"));
            await client.UploadFileAsync(project, $"{session}/scans/1", "slides", "CMU-1-Small-Region.svs", slide);
            // A scan of notes only: its row shows no thumbnail, and nothing asks for one (it would answer 404).
            await client.PutEntityAsync(project, $"{session}/scans/2");
            await client.UploadFileAsync(project, $"{session}/scans/2", "NOTES", "readme.txt", new MemoryStream("notes"u8.ToArray()));
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        var origin = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        var failures = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Url.StartsWith(origin, StringComparison.Ordinal) && response.Status >= 400)
                failures.Add($"{response.Status} {response.Url}");
        };
        page.RequestFailed += (_, request) =>
        {
            if (request.Url.StartsWith(origin, StringComparison.Ordinal))
                failures.Add($"failed ({request.Failure}) {request.Url}");
        };

        string[] pages =
        [
            "/", "/search?q=S", "/tools", "/account", "/admin", "/admin/storage", "/admin/audit", "/admin/dicom",
            "/projects/new", $"/projects/{project}", $"/projects/{project}/members", $"/projects/{project}/settings",
            $"/projects/{project}/jobs", $"/projects/{project}/triggers", $"/projects/{project}/subjects/S",
            $"/projects/{project}/{session}", $"/projects/{project}/{session}/scans/1",
        ];
        foreach (var path in pages)
        {
            var response = await page.GotoAsync(path);
            response.ShouldNotBeNull();
            response.Status.ShouldBe(200, path);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var broken = await page.EvaluateAsync<string[]>(
                "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)");
            broken.ShouldBeEmpty($"{path} shows broken images");
        }
        // The viewer's navigation buttons are OpenSeadragon's images: each was asked for and drawn.
        var buttons = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('#viewer img')].filter(i => i.src.includes('/lib/openseadragon/images/') && i.naturalWidth > 0).length");
        buttons.ShouldBeGreaterThan(4, "the viewer's zoom/home/full-page buttons are drawn from their images");
        failures.ShouldBeEmpty();
    }
}
