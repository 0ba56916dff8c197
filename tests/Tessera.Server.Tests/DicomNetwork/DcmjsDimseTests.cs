using System.Text.Json;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>The npm dcmjs-dimse client: echo, store with user identity and an asynchronous window asked for, find.</summary>
public sealed class DcmjsDimseTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    [Fact]
    public async Task DcmjsDimse_EchoesStoresAndFinds()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("NODEJS", project, "echo", "store", "find");
        var folder = TestCorpus.File("dcm4che/testdata-series");
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Take(4).ToArray();
        var patientId = Tessera.Dicom.IO.DicomReader.ReadFile(files[0], Tessera.Dicom.IO.DicomReadOptions.Headers).Dataset.GetString(Tessera.Dicom.DicomTags.PatientId);
        var config = JsonSerializer.Serialize(new
        {
            host = "127.0.0.1", port = server.Port, calling = "NODEJS", called = DicomNodeServer.AeTitle,
            username = owner, password = TestServer.PasswordOf(owner), files, patientId,
        });

        var output = await NodeClients.RunAsync("dcmjs-dimse.mjs", config);
        using var result = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);

        var root = result.RootElement;
        root.GetProperty("echo").GetInt32().ShouldBe(0);
        root.GetProperty("stores").EnumerateArray().Select(s => s.GetInt32()).ShouldBe([0, 0, 0, 0]);
        var match = root.GetProperty("matches").EnumerateArray().ShouldHaveSingleItem();
        match.GetProperty("instances").GetInt32().ShouldBe(4); // IS, as dcmjs reads it: a number
    }
}
