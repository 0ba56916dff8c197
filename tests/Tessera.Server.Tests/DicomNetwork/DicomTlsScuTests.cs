using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// Tessera as a DICOM TLS client of the AE-table rows marked <c>tls</c>: echo, send and C-MOVE sub-operations to
/// dcmtk's storescp over TLS (showing this node's certificate, which storescp requires), no call to a peer whose
/// certificate is not trusted or names another host, and both directions with a real Orthanc (DicomTlsEnabled).
/// </summary>
public sealed class DicomTlsScuTests(DicomTlsServer server) : IClassFixture<DicomTlsServer>
{
    [Fact]
    public async Task EchoAndSend_ToStorescpOverTls_ShowTheNodesCertificate_AndDeliverTheSession()
    {
        var (certificate, key) = server.Certificates.Issue("storescp");
        await using var storescp = await StorescpProcess.StartAsync("TLS_SCP", ["+tls", key, certificate, "+cf", server.Certificates.CaPath],
            server.DcmtkTls("storescp-probe"));
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await PutNodeAsync("TLS_SCP", storescp.Port, tls: true, project: project);
        using var ownerClient = new Tessera.Client.TesseraClient(server.Http(owner));
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        for (var i = 0; i < 2; i++)
            await ownerClient.ImportFileAsync(project, $"f{i}.dcm", new MemoryStream(TestDicom.Create(study, series, TestDicom.NewUid(), "TLS-SEND")));
        using var http = server.Http(owner);
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/subjects/TLS-SEND")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();

        var echo = await (await http.PostAsync("api/dicom/nodes/TLS_SCP/echo", null).ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomEchoResult>();
        var sent = await (await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", new DicomSendRequest("TLS_SCP", $"subjects/TLS-SEND/sessions/{session}"))
            .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomSendReport>();

        echo.Status.ShouldBe("0x0000");
        sent.ShouldSatisfyAllConditions(r => r.Sent.ShouldBe(2), r => r.Failed.ShouldBe(0));
        storescp.Files.Count.ShouldBe(2);
    }

    [Fact]
    public async Task APeerWithAnUntrustedCertificate_OrOneForAnotherName_IsNotCalled()
    {
        using var other = new TestCertificates("Another CA");
        var (strangerCertificate, strangerKey) = other.Issue("stranger");
        await using var stranger = await StorescpProcess.StartAsync("TLS_STRANGER",
            ["+tls", strangerKey, strangerCertificate, "+cf", server.Certificates.CaPath, "+cf", other.CaPath],
            ["+tls", strangerKey, strangerCertificate, "+cf", other.CaPath]);
        var (certificate, key) = server.Certificates.Issue("named");
        await using var named = await StorescpProcess.StartAsync("TLS_NAMED", ["+tls", key, certificate, "+cf", server.Certificates.CaPath],
            server.DcmtkTls("named-probe"));
        await PutNodeAsync("TLS_STRANGER", stranger.Port, tls: true);
        // The certificate is for localhost and 127.0.0.1, not for the name the row asks for.
        await PutNodeAsync("TLS_NAMED", named.Port, tls: true, tlsServerName: "pacs.hospital.example");
        using var admin = server.Admin();

        var untrusted = await admin.PostAsync("api/dicom/nodes/TLS_STRANGER/echo", null).ShouldHaveStatus(HttpStatusCode.BadRequest);
        var misnamed = await admin.PostAsync("api/dicom/nodes/TLS_NAMED/echo", null).ShouldHaveStatus(HttpStatusCode.BadRequest);

        var untrustedDetail = (await untrusted.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull();
        untrustedDetail.ShouldContain("the TLS handshake was refused: the peer's certificate");
        untrustedDetail.ShouldContain("does not chain to");
        (await misnamed.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("does not carry the name pacs.hospital.example");
        await PutNodeAsync("TLS_NAMED", named.Port, tls: true, tlsServerName: "localhost");
        await admin.PostAsync("api/dicom/nodes/TLS_NAMED/echo", null).ShouldHaveStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AMoveToADestinationMarkedTls_SendsItsSubOperationsOverTls()
    {
        var project = await server.CreateProjectAsync();
        using var admin = new Tessera.Client.TesseraClient(server.Admin());
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        for (var i = 0; i < 2; i++)
            await admin.ImportFileAsync(project, $"m{i}.dcm", new MemoryStream(TestDicom.Create(study, series, TestDicom.NewUid(), "TLS-MOVE")));
        await server.PutNodeAsync("TLS_MOVER", project, "find", "move");
        var (certificate, key) = server.Certificates.Issue("destination");
        await using var destination = await StorescpProcess.StartAsync("TLS_DEST", ["+tls", key, certificate, "+cf", server.Certificates.CaPath],
            server.DcmtkTls("destination-probe"));
        await PutNodeAsync("TLS_DEST", destination.Port, tls: true);

        var (exitCode, output) = await Dcmtk.RunAsync("movescu", "-v", "-S", "-aet", "TLS_MOVER", "-aec", DicomNodeServer.AeTitle, "-aem", "TLS_DEST",
            "-k", "QueryRetrieveLevel=STUDY", "-k", $"StudyInstanceUID={study}", "127.0.0.1", server.PortText);

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Received Final Move Response (Success)");
        destination.Files.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Orthanc_OverDicomTls_TakesTesserasEchoAndStore_AndStoresIntoTesserasTlsPort()
    {
        OrthancProcess.RequireInstalled();
        var (certificate, key) = server.Certificates.Issue("orthanc");
        await using var orthanc = await OrthancProcess.StartAsync(new Dictionary<string, (string, string, string)>(),
            new Dictionary<string, (string, string, int)> { ["tessera"] = (DicomNodeServer.AeTitle, "127.0.0.1", server.TlsPort) },
            new OrthancTls(certificate, key, server.Certificates.CaPath));
        var owner = await server.CreateUserAsync();
        var sent = await server.CreateProjectAsync(owner);
        var received = await server.CreateProjectAsync(owner);
        await PutNodeAsync(OrthancProcess.AeTitle, orthanc.DicomListenerPort, tls: true, project: received);
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        using (var ownerClient = new Tessera.Client.TesseraClient(server.Http(owner)))
            for (var i = 0; i < 3; i++)
                await ownerClient.ImportFileAsync(sent, $"o{i}.dcm", new MemoryStream(TestDicom.Create(study, series, TestDicom.NewUid(), "TLS-ORTHANC")));
        using var http = server.Http(owner);
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{sent}/subjects/TLS-ORTHANC")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();
        try
        {
            // Tessera calls Orthanc over TLS (Orthanc requires and checks Tessera's certificate).
            var echo = await (await http.PostAsync($"api/dicom/nodes/{OrthancProcess.AeTitle}/echo", null).ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomEchoResult>();
            // Another project's data goes to the node of `received` by a site admin's send.
            using var admin = server.Admin();
            var report = await (await admin.PostAsJsonAsync($"api/projects/{sent}/dicom/send", new DicomSendRequest(OrthancProcess.AeTitle, $"subjects/TLS-ORTHANC/sessions/{session}"))
                .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomSendReport>();
            echo.Status.ShouldBe("0x0000");
            report.ShouldSatisfyAllConditions(r => r.Sent.ShouldBe(3), r => r.Failed.ShouldBe(0));
            var studies = await orthanc.Http.PostAsync("tools/find", HttpAssertions.Json(JsonSerializer.Serialize(new { Level = "Study", Query = new { StudyInstanceUID = study } })))
                .ShouldHaveStatus(HttpStatusCode.OK);
            var orthancStudy = (await studies.ReadJson<JsonElement>())[0].GetString();

            // Orthanc calls Tessera's TLS port (UseDicomTls), showing its certificate: an echo, then the study back into the row's project.
            await orthanc.Http.PostAsync("modalities/tessera/echo", HttpAssertions.Json("{}")).ShouldHaveStatus(HttpStatusCode.OK);
            await orthanc.Http.PostAsync("modalities/tessera/store", HttpAssertions.Json($"{{\"Resources\": [\"{orthancStudy}\"]}}")).ShouldHaveStatus(HttpStatusCode.OK);
            (await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{received}/studies/{study}/instances")).GetArrayLength().ShouldBe(3);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- Orthanc's log:\n{orthanc.Log}", e);
        }
    }

    private async Task PutNodeAsync(string aeTitle, int port, bool tls, string? tlsServerName = null, string? project = null)
    {
        using var admin = server.Admin();
        var body = JsonSerializer.Serialize(new { host = "127.0.0.1", port, allow = new[] { "echo", "store" }, project, tls, tlsServerName });
        (await admin.PutAsync($"api/dicom/nodes/{aeTitle}", HttpAssertions.Json(body))).EnsureSuccessStatusCode();
    }
}
