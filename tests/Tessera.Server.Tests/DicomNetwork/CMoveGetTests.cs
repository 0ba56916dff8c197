using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>C-MOVE to storescp and C-GET to getscu: the instances of what was asked, from readable projects, with their counts.</summary>
public sealed class CMoveGetTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>, IAsyncLifetime
{
    private string _project = null!;
    private readonly string _study = TestDicom.NewUid();
    private readonly string _series = TestDicom.NewUid();
    private readonly List<string> _instances = [];
    private readonly string _hiddenStudy = TestDicom.NewUid();

    public async ValueTask InitializeAsync()
    {
        _project = await server.CreateProjectAsync();
        var other = await server.CreateProjectAsync();
        using var admin = new Tessera.Client.TesseraClient(server.Admin());
        for (var i = 0; i < 3; i++)
        {
            var instance = TestDicom.NewUid();
            _instances.Add(instance);
            await admin.ImportFileAsync(_project, $"f{i}.dcm", new MemoryStream(TestDicom.Create(_study, _series, instance, "MOVE-1",
                instanceNumber: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        await admin.ImportFileAsync(other, "hidden.dcm", new MemoryStream(TestDicom.Create(_hiddenStudy, TestDicom.NewUid(), TestDicom.NewUid(), "MOVE-1")));
        await server.PutNodeAsync("MOVER", _project, "find", "move");
        await server.PutNodeAsync("GETTER", _project, "find", "get");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Movescu_MovesAStudy_ToTheDestinationOfTheAeTable_AndTheReadIsAudited()
    {
        await using var destination = await StorescpProcess.StartAsync("DEST1");
        await PutDestinationAsync("DEST1", destination.Port);

        var (exitCode, output) = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "MOVER", "-aec", DicomNodeServer.AeTitle, "-aem", "DEST1",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={_study}", "127.0.0.1", server.PortText);

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Received Final Move Response (Success)");
        var received = await Poll.UntilAsync(() => Task.FromResult(destination.Files), f => f.Count == 3, "storescp has the three instances");
        received.Select(f => DicomReader.ReadFile(f, DicomReadOptions.Headers).SopInstanceUid).Order(StringComparer.Ordinal)
            .ShouldBe(_instances.Order(StringComparer.Ordinal));
        using var admin = server.Admin();
        var audit = await admin.GetFromJsonAsync<JsonElement>($"api/audit?project={_project}");
        audit.GetRawText().ShouldContain("DICOM C-MOVE by MOVER");
    }

    [Fact]
    public async Task AMoveOfAnotherProjectsStudy_SendsNothing_AndAnUnknownDestinationIsRefused()
    {
        await using var destination = await StorescpProcess.StartAsync("DEST2");
        await PutDestinationAsync("DEST2", destination.Port);

        var (_, hidden) = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "MOVER", "-aec", DicomNodeServer.AeTitle, "-aem", "DEST2",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={_hiddenStudy}", "127.0.0.1", server.PortText);
        var (_, unknown) = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "MOVER", "-aec", DicomNodeServer.AeTitle, "-aem", "NOWHERE",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={_study}", "127.0.0.1", server.PortText);

        hidden.ShouldContain("Received Final Move Response (Success)"); // nothing matched: nothing to send
        destination.Files.ShouldBeEmpty();
        unknown.ShouldContain("Received Final Move Response (Refused: MoveDestinationUnknown)");
    }

    [Fact]
    public async Task Getscu_GetsASeries_OnItsOwnAssociation()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-getscu-").FullName;
        try
        {
            var (exitCode, output) = await Dcmtk.RunAsync("getscu", "-v", "-S", "-aet", "GETTER", "-aec", DicomNodeServer.AeTitle, "-od", directory,
                "-k", "QueryRetrieveLevel=SERIES", "-k", $"StudyInstanceUID={_study}", "-k", $"SeriesInstanceUID={_series}", "127.0.0.1", server.PortText);

            exitCode.ShouldBe(0, output);
            output.ShouldContain("Received C-GET Response (Success)");
            output.ShouldContain("Number of Completed Suboperations : 3");
            var files = Directory.GetFiles(directory);
            files.Select(f => DicomReader.ReadFile(f, DicomReadOptions.Headers).SopInstanceUid).Order(StringComparer.Ordinal)
                .ShouldBe(_instances.Order(StringComparer.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AnAeWithoutMove_IsRefused()
    {
        var (_, output) = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "GETTER", "-aec", DicomNodeServer.AeTitle, "-aem", "GETTER",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={_study}", "127.0.0.1", server.PortText);

        output.ShouldContain("0x124"); // refused: not authorized
    }

    private async Task PutDestinationAsync(string aeTitle, int port)
    {
        using var admin = server.Admin();
        var body = JsonSerializer.Serialize(new { host = "127.0.0.1", port, allow = new[] { "echo", "store" } });
        await admin.PutAsync($"api/dicom/nodes/{aeTitle}", HttpAssertions.Json(body)).ShouldHaveStatus(System.Net.HttpStatusCode.Created);
    }
}
