using Microsoft.Playwright;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
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

    [Fact]
    public async Task SessionPage_DownloadAsDicomMedia_ZipWithDicomDirAndEveryInstance()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        var instances = new[] { TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid() };
        string session;
        using (var client = server.Client(user))
        {
            ImportReportDto? report = null;
            for (var i = 0; i < instances.Length; i++)
            {
                var bytes = TestDicom.Create(study, series, instances[i], patientId: "MEDIA1", instanceNumber: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                report = await client.ImportFileAsync(project, $"{i}.dcm", new MemoryStream(bytes));
            }
            session = report!.Sessions.Single();
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}/{session}");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.GetByRole(AriaRole.Link, new() { Name = "Download as DICOM media (DICOMDIR)" }).ClickAsync());
        var path = Path.Combine(Path.GetTempPath(), "tessera-ui-media-" + Guid.NewGuid().ToString("N") + ".zip");
        await download.SaveAsAsync(path);

        download.SuggestedFilename.ShouldEndWith("_dicom.zip");
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        zip.Entries.Select(e => e.FullName).ShouldContain("DICOMDIR");
        var files = zip.Entries.Where(e => e.FullName != "DICOMDIR").ToList();
        files.Count.ShouldBe(3);
        files.ShouldAllBe(e => e.FullName.StartsWith("DICOM/PAT00001/STU00001/SER00001/IMG0000", StringComparison.Ordinal));
        using var dicomdir = new MemoryStream();
        using (var entry = zip.GetEntry("DICOMDIR")!.Open())
            entry.CopyTo(dicomdir);
        dicomdir.Position = 0;
        Tessera.Dicom.Media.DicomDirectory.Read(dicomdir).FileRecords.Select(r => r.ReferencedSopInstanceUid).ShouldBe(instances, ignoreOrder: true);
        // The scan's row offers its own.
        (await page.GetByRole(AriaRole.Link, new() { Name = "Download scan 1 as DICOM media (DICOMDIR)" }).CountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task SubjectsTable_ChosenDicomColumns_ShowThePatient_AndAreRemembered()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        using (var client = server.Client(user))
        {
            foreach (var (modality, accession) in new[] { ("CT", "ACC1"), ("MR", "ACC2") })
            {
                var bytes = TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), patientId: "PAT77", patientName: "Quixote^Alonso",
                    accession: accession, modality: modality, patientSex: "M", birthDate: "19900615");
                await client.ImportFileAsync(project, $"{accession}.dcm", new MemoryStream(bytes));
            }
            await client.PutEntityAsync(project, "subjects/PLAIN");
        }
        var page = await browser.SignedInPageAsync(server.BaseAddress, user, TestServer.PasswordOf(user));
        await page.GotoAsync($"/projects/{project}");
        var table = page.GetByTestId("subjects");
        (await table.Locator("th", new() { HasText = "Patient name" }).IsVisibleAsync()).ShouldBeFalse("DICOM columns are shown when chosen");

        await page.GetByText("Columns", new() { Exact = true }).ClickAsync();
        foreach (var column in new[] { "Patient name", "Sex", "Age", "Sessions", "Modalities" })
            await page.GetByLabel(column, new() { Exact = true }).CheckAsync();
        var row = table.Locator("tr", new() { HasText = "PAT77" });
        (await row.Locator("[data-col=patient]").InnerTextAsync()).ShouldBe("Quixote, Alonso");
        (await row.Locator("[data-col=sex]").InnerTextAsync()).ShouldBe("M");
        (await row.Locator("[data-col=age]").InnerTextAsync()).ShouldBe("35 y");
        (await row.Locator("[data-col=sessions]").InnerTextAsync()).ShouldBe("2");
        (await row.Locator("[data-col=modalities]").InnerTextAsync()).ShouldBe("CT, MR");
        var plain = table.Locator("tr", new() { HasText = "PLAIN" });
        (await plain.Locator("[data-col=sessions]").InnerTextAsync()).ShouldBe("0");
        (await plain.Locator("[data-col=patient]").InnerTextAsync()).ShouldBe("");

        await page.ReloadAsync();
        (await page.GetByTestId("subjects").Locator("th", new() { HasText = "Modalities" }).IsVisibleAsync()).ShouldBeTrue("the choice is remembered");
        // A search swaps the table in: the chosen columns stay.
        await page.Locator("#q").FillAsync("PAT77");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('[data-testid=subjects] tbody tr').length === 1");
        (await page.GetByTestId("subjects").Locator("tbody [data-col=modalities]").InnerTextAsync()).ShouldBe("CT, MR");
        (await page.GetByTestId("subjects").Locator("tbody [data-col=modalities]").IsVisibleAsync()).ShouldBeTrue();
    }
}
