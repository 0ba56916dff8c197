using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Web;

/// <summary>DICOM on the web pages, in a real Chromium: a scan's header view, search by DICOM patient and accession.</summary>
public sealed class DicomUiTests(TestServer server, BrowserFixture browser) : IClassFixture<TestServer>
{
    [Fact]
    public async Task ScanPage_ShowsTheHeader_SearchFindsThePatientAndAccession()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        var (first, second) = (TestDicom.NewUid(), TestDicom.NewUid());
        var accession = "ACC" + Guid.NewGuid().ToString("N")[..8];
        using (var client = server.Client(user))
        {
            foreach (var (instance, number) in new[] { (first, "1"), (second, "2") })
            {
                var bytes = TestDicom.Create(study, series, instance, patientId: "PAT42", patientName: "Quixote^Alonso", accession: accession, instanceNumber: number);
                await client.ImportFileAsync(project, $"{number}.dcm", new MemoryStream(bytes));
            }
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));

        await page.GotoAsync($"/projects/{project}/subjects/PAT42/sessions/20260102_{accession}/scans/1");
        var header = await page.GetByTestId("dicom-header").InnerTextAsync();
        header.ShouldContain("PatientName");
        header.ShouldContain("Quixote^Alonso");
        header.ShouldContain(first);
        header.ShouldContain("(32 bytes)"); // bulk values are sized, not dumped
        // The wait is set before the choice, so that a quick navigation cannot slip between the two (seen under load).
        var navigated = page.WaitForURLAsync($"**instance={second}");
        await page.GetByLabel("Instance", new() { Exact = true }).SelectOptionAsync(second);
        await navigated;
        (await page.GetByTestId("dicom-header").InnerTextAsync()).ShouldContain(second);

        foreach (var text in new[] { "quixote", accession.ToLowerInvariant() })
        {
            await page.GotoAsync($"/search?q={text}");
            var results = await page.Locator("main").InnerTextAsync();
            results.ShouldContain("PAT42");
            results.ShouldContain($"20260102_{accession}");
        }
    }
}
