using System.Security.Cryptography;
using Microsoft.Playwright;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>
/// Not a test: regenerates docs/screenshots (scripts/screenshots.sh runs it with
/// TESSERA_SCREENSHOTS_DIR set; scripts/test.sh leaves the category out). It seeds a small
/// demonstration archive, then photographs the main pages in Chromium.
/// </summary>
public sealed class Screenshots(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    private const string Project = "retina-oct";

    [Fact]
    [Trait("Category", "Screenshots")]
    public async Task Regenerate()
    {
        var directory = Environment.GetEnvironmentVariable("TESSERA_SCREENSHOTS_DIR");
        if (directory is null)
            Assert.Skip("Regenerates docs/screenshots: run scripts/screenshots.sh, which sets TESSERA_SCREENSHOTS_DIR.");
        Directory.CreateDirectory(directory);
        await SeedAsync();
        var page = await browser.SignedInPageAsync(server.BaseAddress, "alice", TestServer.PasswordOf("alice"));

        async Task Shoot(string name, string url, Func<Task>? before = null)
        {
            await page.GotoAsync(url);
            if (before is not null)
            {
                await before();
            }
            await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), Animations = ScreenshotAnimations.Disabled });
        }

        await Shoot("projects", "/");
        await Shoot("project", $"/projects/{Project}");
        await Shoot("session", $"/projects/{Project}/subjects/P001/sessions/V1_2025-03-04");
        await Shoot("upload", $"/projects/{Project}/subjects/P001/sessions/V1_2025-03-04", async () =>
        {
            var folder = Directory.CreateTempSubdirectory("tessera-shots-");
            try
            {
                Directory.CreateDirectory(Path.Combine(folder.FullName, "export"));
                foreach (var (name, size) in new[] { ("macula.fds", 3_000_000), ("disc.fds", 2_000_000), ("report.pdf", 200_000) })
                {
                    await File.WriteAllBytesAsync(Path.Combine(folder.FullName, "export", name), RandomNumberGenerator.GetBytes(size));
                }
                await page.GetByLabel("Resource").FillAsync("RAW");
                await page.Locator("[data-upload-pick=folder]").SetInputFilesAsync(Path.Combine(folder.FullName, "export"));
                await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=upload-total]').getAttribute('aria-valuenow') === '100'");
                await page.Locator("[data-testid=upload-files]").ScrollIntoViewIfNeededAsync();
            }
            finally
            {
                folder.Delete(recursive: true);
            }
        });
        await Shoot("scan", $"/projects/{Project}/subjects/P001/sessions/V1_2025-03-04/scans/1");
        await using (var mr = File.OpenRead(TestCorpus.File("pydicom-data/MR2_UNCR.dcm")))
        {
            using var importer = new TesseraClient(server.Http("alice"));
            var report = await importer.ImportFileAsync(Project, "MR2_UNCR.dcm", mr);
            await Shoot("dicom-scan", $"/projects/{Project}/{report.Files[0].Target}");
        }
        await Shoot("members", $"/projects/{Project}/members");
        await Shoot("settings", $"/projects/{Project}/settings");
        await Shoot("search", "/search?q=glaucoma");
        await Shoot("account", "/account");
        var admin = await browser.SignedInPageAsync(server.BaseAddress, "admin", TestServer.AdminPassword);
        page = admin;
        await Shoot("admin-users", "/admin");
        await Shoot("admin-audit", "/admin/audit");
        await Shoot("admin-storage", "/admin/storage");
        var anonymous = await browser.NewPageAsync(server.BaseAddress);
        page = anonymous;
        await Shoot("login", "/login");
    }

    private async Task SeedAsync()
    {
        await server.CreateUserAsync("alice");
        await server.CreateUserAsync("bob");
        await server.CreateUserAsync("carol");
        using var http = server.Http("alice");
        using var alice = new TesseraClient(http);
        await alice.CreateProjectAsync(new CreateProjectRequest(Project, "Retinal OCT in glaucoma",
            "Macular and optic-disc OCT of the glaucoma cohort, with visual fields.", Visibility.Private));
        await alice.SetMemberAsync(Project, "bob", Role.Member);
        await alice.SetMemberAsync(Project, "carol", Role.Collaborator);
        await http.PutAsync($"api/projects/{Project}/schemas/subject", HttpAssertions.Json("""
            {"type":"object","properties":{"sex":{"type":"string","enum":["F","M"]},"birthYear":{"type":"integer"},"diagnosis":{"type":"string"}}}
            """));
        await http.PutAsync($"api/projects/{Project}/schemas/session", HttpAssertions.Json("""
            {"type":"object","properties":{"visit":{"type":"integer","minimum":1},"eye":{"type":"string","enum":["OD","OS","OU"]},"iop":{"type":"number","description":"Intraocular pressure, mmHg"}}}
            """));
        string[] diagnoses = ["primary open-angle glaucoma", "normal-tension glaucoma", "ocular hypertension", "healthy control"];
        for (var i = 1; i <= 12; i++)
        {
            var subject = $"P{i:000}";
            var fields = System.Text.Json.JsonSerializer.SerializeToElement(new { sex = i % 2 == 0 ? "F" : "M", birthYear = 1950 + i * 2, diagnosis = diagnoses[i % 4] });
            await alice.PutEntityAsync(Project, $"subjects/{subject}", new EntityBody(Fields: fields));
            var visit = System.Text.Json.JsonSerializer.SerializeToElement(new { visit = 1, eye = "OU", iop = 14.5 + i % 5 });
            await alice.PutEntityAsync(Project, $"subjects/{subject}/sessions/V1_2025-03-04",
                new EntityBody(Type: "OCT", Date: new DateOnly(2025, 3, 4), Description: "Baseline visit", Fields: visit));
        }
        var session = "subjects/P001/sessions/V1_2025-03-04";
        (string Label, string Type, string Description)[] scans =
        [
            ("1", "Macular cube 512x128", "OD"), ("2", "Macular cube 512x128", "OS"), ("3", "Optic disc cube 200x200", "OD"), ("4", "Optic disc cube 200x200", "OS"),
        ];
        foreach (var (label, type, description) in scans)
        {
            await alice.PutEntityAsync(Project, $"{session}/scans/{label}", new EntityBody(Type: type, Description: description, Quality: Quality.Usable));
            await alice.UploadFileAsync(Project, $"{session}/scans/{label}", "RAW", $"oct_{description}_{label}.fds", new MemoryStream(RandomNumberGenerator.GetBytes(1_500_000 + 100_000 * int.Parse(label))));
            await alice.UploadFileAsync(Project, $"{session}/scans/{label}", "DERIVED", "thickness.csv", new MemoryStream("sector,um\nsuperior,102\ninferior,98\n"u8.ToArray()));
        }
        await alice.UploadFileAsync(Project, session, "NOTES", "visit-notes.txt", new MemoryStream("Patient cooperative; pupils dilated."u8.ToArray()));
        using var token = new TesseraClient(http);
        await token.CreateTokenAsync(new CreateTokenRequest("lab workstation", 90));
        await server.CreateProjectAsync("bob", Visibility.Public);
    }
}
