using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.DicomNetwork;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary><c>tessera dicom …</c> run as a child process: the AE table, echo, send to storescp, and find and move against the server's own node.</summary>
public sealed class DicomCliTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>, IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task NodesEchoSendFindAndMove_FromTheCommandLine()
    {
        await using var storescp = await StorescpProcess.StartAsync("CLI_SCP");
        using (var admin = new TesseraClient(server.Admin()))
        {
            var token = await admin.CreateTokenAsync(new CreateTokenRequest("cli-dicom", 1));
            _cli.Environment["TESSERA_URL"] = server.BaseAddress.ToString();
            _cli.Environment["TESSERA_TOKEN"] = token.Token;
        }
        var source = await server.CreateProjectAsync();
        var target = await server.CreateProjectAsync();
        var study = TestDicom.NewUid();
        using (var admin = new TesseraClient(server.Admin()))
            await admin.ImportFileAsync(source, "ct.dcm", new MemoryStream(TestDicom.Create(study, TestDicom.NewUid(), TestDicom.NewUid(), "CLI-1")));
        using var http = server.Admin();
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{source}/subjects/CLI-1")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();
        var port = storescp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var put = await _cli.RunAsync("dicom", "nodes", "put", "CLI_SCP", "--host", "127.0.0.1", "--port", port, "--allow", "echo,store");
        // The server itself, as a node of its own table: queried and moved from like any other.
        var self = await _cli.RunAsync("dicom", "nodes", "put", DicomNodeServer.AeTitle, "--host", "127.0.0.1", "--port", server.PortText,
            "--allow", "echo,store,find,move", "--project", source);
        var list = await _cli.RunAsync("dicom", "nodes", "list");
        var echo = await _cli.RunAsync("dicom", "echo", "CLI_SCP");
        var send = await _cli.RunAsync("dicom", "send", "CLI_SCP", $"{source}/CLI-1/{session}");
        var find = await _cli.RunAsync("dicom", "find", DicomNodeServer.AeTitle, "-k", "PatientID=CLI-1", "-k", "StudyInstanceUID");
        var move = await _cli.RunAsync("dicom", "move", DicomNodeServer.AeTitle, "--project", target, "-k", $"StudyInstanceUID={study}");
        var missing = await _cli.RunAsync("dicom", "echo", "NO_SUCH_AE");

        put.ExitCode.ShouldBe(0, put.ToString());
        self.ExitCode.ShouldBe(0, self.ToString());
        list.Stdout.ShouldContain("CLI_SCP");
        echo.ExitCode.ShouldBe(0, echo.ToString());
        echo.Stdout.ShouldContain("CLI_SCP: Success in ");
        send.ExitCode.ShouldBe(0, send.ToString());
        send.Stdout.ShouldContain("Sent 1 instance.");
        storescp.Files.Count.ShouldBe(1);
        find.ExitCode.ShouldBe(0, find.ToString());
        find.Stdout.ShouldContain(study);
        move.ExitCode.ShouldBe(0, move.ToString());
        move.Stdout.ShouldContain("Success: 1 retrieved");
        (await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{target}/studies/{study}/instances")).GetArrayLength().ShouldBe(1);
        missing.ExitCode.ShouldBe(1, missing.ToString());
        missing.Stderr.ShouldContain("NO_SUCH_AE");
    }

    [Fact]
    public async Task NodesPut_WithTls_KeepsItAndItsServerName()
    {
        using (var admin = new TesseraClient(server.Admin()))
        {
            var token = await admin.CreateTokenAsync(new CreateTokenRequest("cli-dicom-tls", 1));
            _cli.Environment["TESSERA_URL"] = server.BaseAddress.ToString();
            _cli.Environment["TESSERA_TOKEN"] = token.Token;
        }

        var put = await _cli.RunAsync("dicom", "nodes", "put", "CLI_TLS", "--host", "127.0.0.1", "--port", "2762", "--tls", "--tls-server-name", "pacs.example.org");
        var list = await _cli.RunAsync("dicom", "nodes", "list");

        put.ExitCode.ShouldBe(0, put.ToString());
        put.Stdout.ShouldContain("CLI_TLS at 127.0.0.1:2762 (TLS, certificate for pacs.example.org)");
        using var http = server.Admin();
        var node = await http.GetFromJsonAsync<DicomNodeDto>("api/dicom/nodes/CLI_TLS");
        node.ShouldNotBeNull().ShouldSatisfyAllConditions(n => n.Tls.ShouldBeTrue(), n => n.TlsServerName.ShouldBe("pacs.example.org"));
        list.Stdout.ShouldContain("CLI_TLS");
    }
}
