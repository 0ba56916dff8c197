using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// The DICOM TLS listener (PS3.15 Annex B) against dcmtk built with OpenSSL 3: echo, store and query with a client
/// certificate of the trusted CA; callers without one, with one of another CA, or without TLS at all are refused
/// in the handshake; the plain port goes on beside it, and both ports share the connection bounds.
/// </summary>
public sealed class DicomTlsTests(DicomTlsServer server) : IClassFixture<DicomTlsServer>
{
    [Fact]
    public async Task Echoscu_WithATrustedClientCertificate_IsAnsweredOverTls_AndThePlainPortStillAnswers()
    {
        await server.PutNodeAsync("TLS_ECHO", null, "echo");

        var (tls, tlsOutput) = await Dcmtk.RunAsync("echoscu", [.. server.DcmtkTls("echo-client"), "-aet", "TLS_ECHO", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPortText]);
        var (plain, plainOutput) = await Dcmtk.RunAsync("echoscu", "-aet", "TLS_ECHO", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.PortText);

        tls.ShouldBe(0, tlsOutput);
        plain.ShouldBe(0, plainOutput);
    }

    [Fact]
    public async Task StorescuAndFindscu_OverTls_StoreIntoTheProject_AndFindIt()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("TLS_MODALITY", project, "echo", "store", "find");
        var path = TestCorpus.File("dcm4che/testdata-series/MR01.dcm");
        var study = DicomReader.ReadFile(path, DicomReadOptions.Headers).Dataset.GetString(DicomTags.StudyInstanceUid)!;
        var client = server.DcmtkTls("modality");

        var (stored, storeOutput) = await Dcmtk.RunAsync("storescu", [.. client, "-aet", "TLS_MODALITY", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPortText, path]);
        var (found, findOutput) = await Dcmtk.RunAsync("findscu", [.. client, "-v", "-S", "-aet", "TLS_MODALITY", "-aec", DicomNodeServer.AeTitle,
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", server.TlsPortText]);

        stored.ShouldBe(0, storeOutput);
        using var http = server.Http(owner);
        (await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies/{study}/instances")).GetArrayLength().ShouldBe(1);
        found.ShouldBe(0, findOutput);
        findOutput.ShouldContain("Find Response: 1 (Pending)");
        findOutput.ShouldContain("Received Final Find Response (Success)");
    }

    [Fact]
    public async Task AClientWithoutACertificate_IsRefusedInTheHandshake_AndNothingIsStored()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("TLS_ANONYMOUS", project, "echo", "store");
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        var file = Path.Combine(server.Certificates.Directory, "anonymous.dcm");
        await File.WriteAllBytesAsync(file, TestDicom.Create(study, series, TestDicom.NewUid(), "TLS-ANON"));
        // +tla: TLS without a certificate of its own (the server's is still checked against the CA).
        string[] anonymous = ["+tla", "+cf", server.Certificates.CaPath, "-aet", "TLS_ANONYMOUS", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPortText];

        var (echo, echoOutput) = await Dcmtk.RunAsync("echoscu", anonymous);
        var (store, storeOutput) = await Dcmtk.RunAsync("storescu", [.. anonymous, file]);

        echo.ShouldNotBe(0, echoOutput);
        store.ShouldNotBe(0, storeOutput);
        using var http = server.Http(owner);
        (await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies/{study}/instances")).GetArrayLength().ShouldBe(0);
        (await RefusedHandshakesAsync()).ShouldContain(t => t.Contains("sent no client certificate", StringComparison.Ordinal));
    }

    /// <summary>What the audit log says of refused TLS handshakes (regression: nothing, and the log said the same for every reason).</summary>
    private async Task<List<string>> RefusedHandshakesAsync()
    {
        using var admin = server.Admin();
        var audit = await admin.GetFromJsonAsync<JsonElement>("api/audit?limit=1000");
        return audit.GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("action").GetString() == "DICOM TLS handshake refused")
            .Select(e => e.GetProperty("target").GetString() ?? "").ToList();
    }

    [Fact]
    public async Task AClientCertificateOfAnotherCa_IsRefused()
    {
        await server.PutNodeAsync("TLS_STRANGER", null, "echo");
        using var other = new TestCertificates("Another CA");
        var (certificate, key) = other.Issue("stranger");

        var (exitCode, output) = await Dcmtk.RunAsync("echoscu", "+tls", key, certificate, "+cf", server.Certificates.CaPath,
            "-aet", "TLS_STRANGER", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPortText);

        exitCode.ShouldNotBe(0, output);
        (await RefusedHandshakesAsync()).ShouldContain(t => t.Contains("does not chain to Dicom:Tls:TrustedCertificates", StringComparison.Ordinal)
            && t.Contains("Another CA", StringComparison.Ordinal));
    }

    [Fact]
    public async Task APlainClient_OnTheTlsPort_IsRefused_AndATlsClient_OnThePlainPort_Too()
    {
        await server.PutNodeAsync("TLS_MIXUP", null, "echo");

        var (plain, plainOutput) = await Dcmtk.RunAsync("echoscu", "-to", "10", "-aet", "TLS_MIXUP", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPortText);
        var (tls, tlsOutput) = await Dcmtk.RunAsync("echoscu", [.. server.DcmtkTls("mixup"), "-to", "10", "-aet", "TLS_MIXUP", "-aec", DicomNodeServer.AeTitle, "127.0.0.1", server.PortText]);

        plain.ShouldNotBe(0, plainOutput);
        tls.ShouldNotBe(0, tlsOutput);
    }

    [Fact]
    public async Task TheTlsPort_CountsAgainstTheSameBoundPerAddress_AsThePlainPort()
    {
        var held = new List<TcpClient>();
        try
        {
            // The bound is 4 per address: four silent connections to the plain port from 127.0.0.3 take it,
            // as a fifth to the same port shows once the server has counted them.
            for (var i = 0; i < 4; i++)
            {
                var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.3"), 0));
                held.Add(client);
                await client.ConnectAsync(IPAddress.Loopback, server.Port);
            }
            await Poll.UntilAsync(() => ClosedAtOnceAsync("127.0.0.3", server.Port, TimeSpan.FromSeconds(1)), closed => closed,
                "the plain port holds four connections from 127.0.0.3");

            var beyond = await ClosedAtOnceAsync("127.0.0.3", server.TlsPort, TimeSpan.FromSeconds(2));
            var elsewhere = await ClosedAtOnceAsync("127.0.0.4", server.TlsPort, TimeSpan.FromSeconds(1));

            beyond.ShouldBeTrue("a fifth connection from the address, to the TLS port, is closed at once");
            elsewhere.ShouldBeFalse("another address's connection waits for its handshake");
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Whether a new connection from the address is reset as it connects, or closed within the time.</summary>
    private static async Task<bool> ClosedAtOnceAsync(string from, int port, TimeSpan within)
    {
        using var client = new TcpClient(new IPEndPoint(IPAddress.Parse(from), 0));
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
        }
        catch (SocketException)
        {
            return true;
        }
        using var timeout = new CancellationTokenSource(within);
        try
        {
            return await client.GetStream().ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
