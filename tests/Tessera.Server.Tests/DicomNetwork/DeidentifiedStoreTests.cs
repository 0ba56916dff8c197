using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>C-STORE into a de-identifying project from dcmtk's storescu: the patient gets the pseudonym an HTTP import gave them.</summary>
public sealed class DeidentifiedStoreTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    [Fact]
    public async Task Storescu_OfAPatientImportedOverHttp_LandsUnderTheSamePseudonym_AndLogsNoOriginal()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        using var http = server.Http(owner);
        await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json("""{"dicom":{"deidentification":{"enabled":true}}}""")).ShouldHaveStatus(HttpStatusCode.OK);
        await server.PutNodeAsync("DEID_MOD", project, "store");
        var imported = await (await http.PostAsync($"api/projects/{project}/import",
            new ByteArrayContent(TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), "PID777", "SMITH^JOHN")))
            .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<ImportReportDto>();
        var path = Path.Combine(Path.GetTempPath(), $"deid-{Guid.NewGuid():N}.dcm");
        await File.WriteAllBytesAsync(path, TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), "PID777", "SMITH^JOHN"));
        try
        {
            var (exitCode, output) = await Dcmtk.RunAsync("storescu", "-aet", "DEID_MOD", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.PortText, path);
            exitCode.ShouldBe(0, output);
        }
        finally
        {
            File.Delete(path);
        }

        imported.Sessions.Single().ShouldStartWith($"subjects/{project}-0001/");
        var subjects = await (await http.GetAsync($"api/projects/{project}/subjects")).ReadJson<PageDto<SubjectDto>>();
        subjects.Items.Select(s => s.Label).ShouldBe([$"{project}-0001"]);
        var sessions = JsonDocument.Parse(await http.GetStringAsync($"api/projects/{project}/subjects/{project}-0001/sessions"));
        sessions.RootElement.GetProperty("total").GetInt32().ShouldBe(2);
        var studies = await http.GetStringAsync($"dicom-web/projects/{project}/studies?includefield=all");
        studies.ShouldNotContain("PID777");
        studies.ShouldNotContain("SMITH");
    }
}
