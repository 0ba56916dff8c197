using System.Security.Cryptography;
using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>Uploads from the browser: tus-js-client in Chromium against the server's tus endpoint.</summary>
public sealed class UploadUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-upload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(string User, string Project)> SessionAsync()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        using var client = server.Client(user);
        await client.PutEntityAsync(project, "subjects/S1");
        await client.PutEntityAsync(project, "subjects/S1/sessions/E1");
        return (user, project);
    }

    private string WriteRandomFile(string relativePath, int size)
    {
        var path = Path.Combine(_folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        var chunk = new byte[1 << 20];
        for (var left = size; left > 0; left -= chunk.Length)
        {
            RandomNumberGenerator.Fill(chunk);
            file.Write(chunk, 0, Math.Min(left, chunk.Length));
        }
        return path;
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static async Task WaitForTotalAsync(IPage page, int percent, int timeoutMs = 120_000) =>
        await page.WaitForFunctionAsync(
            $"() => Number(document.querySelector('[data-testid=upload-total]').getAttribute('aria-valuenow')) >= {percent}",
            null, new() { Timeout = timeoutMs, PollingInterval = 100 });

    [Fact]
    public async Task FolderUpload_SeveralFilesOneOver100MB_ReachesFullProgress_EveryFileStoredWithItsSha256()
    {
        var (user, project) = await SessionAsync();
        string[] files = ["scans/big.bin", "scans/notes.txt", "scans/sub dir/a.json", "scans/sub dir/empty.dat"];
        WriteRandomFile(files[0], 110 << 20);
        await File.WriteAllTextAsync(Path.Combine(_folder, files[1]), "acquired on the 3T, protocol v2");
        Directory.CreateDirectory(Path.Combine(_folder, "scans", "sub dir"));
        await File.WriteAllTextAsync(Path.Combine(_folder, files[2]), """{"te": 30}""");
        await File.WriteAllBytesAsync(Path.Combine(_folder, files[3]), []);
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/subjects/S1/sessions/E1");

        await page.GetByLabel("Resource").FillAsync("RAW");
        await page.Locator("[data-upload-pick=folder]").SetInputFilesAsync(Path.Combine(_folder, "scans"));

        await WaitForTotalAsync(page, 100);
        (await page.Locator("[data-upload-summary]").InnerTextAsync()).ShouldBe("All 4 files uploaded (115 MB).");
        (await page.Locator("[data-testid=upload-files] tbody tr[data-state=done]").CountAsync()).ShouldBe(4);
        using var client = server.Client(user);
        var stored = (await client.ListFilesAsync(project, "subjects/S1/sessions/E1", "RAW")).ToDictionary(f => f.Path);
        stored.Keys.ShouldBe(files, ignoreOrder: true);
        foreach (var path in files)
        {
            stored[path].Sha256.ShouldBe(Sha256Of(Path.Combine(_folder, path)), path);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Show the new files" }).ClickAsync();
        (await page.Locator("main").InnerTextAsync()).ShouldContain("RAW");
    }

    [Fact]
    public async Task InterruptedUpload_NetworkDropThenPageReload_ResumesWhereTheServerStopped()
    {
        var (user, project) = await SessionAsync();
        var local = WriteRandomFile("resume.bin", 32 << 20);
        await using var relay = new TcpRelay(server.BaseAddress);
        var page = await browser.SignedInPageAsync(relay.Address, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/subjects/S1/sessions/E1");
        var cdp = await page.Context.NewCDPSessionAsync(page);
        await ThrottleUploadsAsync(cdp, 6 << 20);
        var patchOffsets = new List<string>();
        page.Request += (_, request) =>
        {
            if (request.Method == "PATCH" && request.Headers.TryGetValue("upload-offset", out var offset))
            {
                lock (patchOffsets)
                {
                    patchOffsets.Add(offset);
                }
            }
        };

        await page.Locator("[data-upload-pick=files]").SetInputFilesAsync(local);
        await WaitForTotalAsync(page, 15, 60_000);
        // The network drops: tus-js-client retries on its own and carries on from the server's offset.
        relay.DropAll();
        // Chromium itself re-sends the cut request once (it was on a reused connection), with its
        // stale offset; the server refuses that (409), and tus-js-client asks for the offset and goes on.
        await Poll.UntilAsync(() => { lock (patchOffsets) { return patchOffsets.Count > 1; } }, "a PATCH after the drop", TimeSpan.FromSeconds(60));
        await WaitForTotalAsync(page, 40, 60_000);
        // Then the page goes away mid-upload.
        await page.ReloadAsync();
        var notice = page.Locator("[data-upload-unfinished]");
        (await notice.InnerTextAsync()).ShouldContain("1 upload was interrupted (resume.bin)");

        await ThrottleUploadsAsync(cdp, -1);
        await page.Locator("[data-upload-pick=files]").SetInputFilesAsync(local);
        await WaitForTotalAsync(page, 100);
        var status = await page.Locator("[data-testid=upload-files] tbody tr td:last-child").InnerTextAsync();
        status.ShouldStartWith("Stored (resumed at ");
        lock (patchOffsets)
        {
            patchOffsets.Count.ShouldBeGreaterThanOrEqualTo(3, "a first PATCH, one after the drop, one after the reload: " + string.Join(",", patchOffsets));
            patchOffsets[0].ShouldBe("0");
            patchOffsets.Skip(1).ShouldAllBe(o => long.Parse(o) > 0);
        }
        using var client = server.Client(user);
        var file = (await client.ListFilesAsync(project, "subjects/S1/sessions/E1", "FILES")).Single();
        file.Path.ShouldBe("resume.bin");
        file.Sha256.ShouldBe(Sha256Of(local));
        (await page.EvaluateAsync<int>("() => Object.keys(localStorage).filter(k => k.startsWith('tus::')).length")).ShouldBe(0);
    }

    [Fact]
    public async Task ProjectImport_FoldersNameSubjectAndSession_WhichAreCreated()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        WriteRandomFile("P01/V1/t1.nii", 10_000);
        WriteRandomFile("P01/V2/t1.nii", 20_000);
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}");

        await page.Locator("[data-upload-pick=folder]").SetInputFilesAsync(Path.Combine(_folder, "P01"));

        await WaitForTotalAsync(page, 100);
        using var client = server.Client(user);
        (await client.ListFilesAsync(project, "subjects/P01/sessions/V2", "FILES")).Single().Size.ShouldBe(20_000);
        await page.ReloadAsync();
        (await page.GetByTestId("subjects").InnerTextAsync()).ShouldContain("P01");
    }

    /// <summary>Limits the page's upload rate (bytes per second; -1 lifts the limit) through the DevTools protocol.</summary>
    private static async Task ThrottleUploadsAsync(ICDPSession cdp, int bytesPerSecond)
    {
        await cdp.SendAsync("Network.enable");
        await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false,
            ["latency"] = 0,
            ["downloadThroughput"] = -1,
            ["uploadThroughput"] = bytesPerSecond,
        });
    }
}
