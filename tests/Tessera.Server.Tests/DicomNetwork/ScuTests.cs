using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// Tessera as a DICOM client, through the API: echo and send to dcmtk's storescp; query, move and
/// get from a real Orthanc that knows Tessera as a modality (and stores into it).
/// </summary>
public sealed class ScuTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    [Fact]
    public async Task EchoAndSend_ToStorescp_DeliverTheSession()
    {
        await using var storescp = await StorescpProcess.StartAsync("SCP_SEND");
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await PutNodeAsync("SCP_SEND", storescp.Port, project);
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        using var ownerClient = new Tessera.Client.TesseraClient(server.Http(owner));
        for (var i = 0; i < 2; i++)
            await ownerClient.ImportFileAsync(project, $"f{i}.dcm", new MemoryStream(TestDicom.Create(study, series, TestDicom.NewUid(), "SEND-1")));
        using var http = server.Http(owner);
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/subjects/SEND-1")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();

        var echo = await (await http.PostAsync("api/dicom/nodes/SCP_SEND/echo", null).ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomEchoResult>();
        var sent = await (await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", new DicomSendRequest("SCP_SEND", $"subjects/SEND-1/sessions/{session}"))
            .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomSendReport>();

        echo.Status.ShouldBe("0x0000");
        sent.ShouldSatisfyAllConditions(r => r.Sent.ShouldBe(2), r => r.Failed.ShouldBe(0));
        storescp.Files.Count.ShouldBe(2);
    }

    [Fact]
    public async Task AnUnreachableNode_OrAPrivateProjectOfSomeoneElse_AnswerClearly()
    {
        await PutNodeAsync("GONE", DicomNodeServer.FreePort());
        var outsider = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync();
        using var http = server.Http(outsider);
        using var admin = server.Admin();

        var gone = await admin.PostAsync("api/dicom/nodes/GONE/echo", null).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await gone.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("cannot be reached");
        await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", new DicomSendRequest("GONE", "subjects/S/sessions/E")).ShouldHaveStatus(HttpStatusCode.NotFound);
        await http.PostAsync("api/dicom/nodes/NOT_IN_TABLE/echo", null).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Orthanc_StoresIntoTessera_AndFindMoveAndGet_BringItsStudyIntoProjects()
    {
        OrthancProcess.RequireInstalled();
        await using var orthanc = await OrthancProcess.StartAsync(new Dictionary<string, (string, string, string)>(),
            new Dictionary<string, (string, string, int)> { ["tessera"] = (DicomNodeServer.AeTitle, "127.0.0.1", server.Port) });
        var owner = await server.CreateUserAsync();
        var moved = await server.CreateProjectAsync(owner);
        var fetched = await server.CreateProjectAsync(owner);
        var received = await server.CreateProjectAsync(owner);
        await PutNodeAsync(OrthancProcess.AeTitle, orthanc.DicomListenerPort, received, ["echo", "store", "find", "move", "get"]);
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        var instances = Enumerable.Range(0, 3).Select(_ => TestDicom.NewUid()).ToList();
        string? orthancStudy = null;
        foreach (var instance in instances)
        {
            var added = await orthanc.Http.PostAsync("instances", new ByteArrayContent(TestDicom.Create(study, series, instance, "ORTHANC-1"))).ShouldHaveStatus(HttpStatusCode.OK);
            orthancStudy = (await added.ReadJson<JsonElement>()).GetProperty("ParentStudy").GetString();
        }
        using var http = server.Http(owner);
        using var admin = server.Admin();
        try
        {
            // Orthanc sends to Tessera (C-STORE): into the project of its row in the AE table.
            await orthanc.Http.PostAsync("modalities/tessera/store", HttpAssertions.Json($"{{\"Resources\": [\"{orthancStudy}\"]}}")).ShouldHaveStatus(HttpStatusCode.OK);
            (await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{received}/studies/{study}/instances")).GetArrayLength().ShouldBe(3);

            var found = await (await http.PostAsJsonAsync($"api/dicom/nodes/{OrthancProcess.AeTitle}/find",
                new DicomFindRequest("STUDY", "study", new Dictionary<string, string> { ["PatientID"] = "ORTHANC-1", ["StudyInstanceUID"] = "", ["NumberOfStudyRelatedInstances"] = "" }))
                .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<JsonElement>();
            found.GetArrayLength().ShouldBe(1);
            found[0].GetProperty("0020000D").GetProperty("Value")[0].GetString().ShouldBe(study);

            // Into other projects than the node's own: a site admin's retrievals.
            var keys = new Dictionary<string, string> { ["StudyInstanceUID"] = study };
            var move = await (await admin.PostAsJsonAsync($"api/projects/{moved}/dicom/retrieve", new DicomRetrieveRequest(OrthancProcess.AeTitle, "STUDY", keys, "move"))
                .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomRetrieveReport>();
            var get = await (await admin.PostAsJsonAsync($"api/projects/{fetched}/dicom/retrieve", new DicomRetrieveRequest(OrthancProcess.AeTitle, "STUDY", keys, "get"))
                .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomRetrieveReport>();

            move.ShouldSatisfyAllConditions(r => r.Status.ShouldBe("0x0000"), r => r.Completed.ShouldBe(3));
            get.ShouldSatisfyAllConditions(r => r.Status.ShouldBe("0x0000"), r => r.Completed.ShouldBe(3));
            foreach (var project in new[] { moved, fetched })
            {
                var stored = await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies/{study}/instances");
                stored.GetArrayLength().ShouldBe(3, project);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- Orthanc's log:\n{orthanc.Log}", e);
        }
    }

    /// <summary>
    /// The row's allow list governs what Tessera asks of a node too, and a node is its project's: a send to a node that
    /// does not allow store, or to another project's node, is refused before any association (regression: both went ahead),
    /// and a node without a project answers site admins only.
    /// </summary>
    [Fact]
    public async Task WhatTesseraAsksOfANode_IsWhatItsRowAllows_ToTheUsersOfItsProject()
    {
        await using var storescp = await StorescpProcess.StartAsync("SCP_ANY");
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var other = await server.CreateProjectAsync();
        await PutNodeAsync("SCP_QR_ONLY", storescp.Port, project, ["echo", "find", "move"]);
        await PutNodeAsync("SCP_OTHER", storescp.Port, other, ["echo", "store"]);
        await PutNodeAsync("SCP_SITE", storescp.Port, null, ["echo", "store"]);
        using var ownerClient = new Tessera.Client.TesseraClient(server.Http(owner));
        await ownerClient.ImportFileAsync(project, "f.dcm", new MemoryStream(TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), "ALLOW-1")));
        using var http = server.Http(owner);
        using var admin = server.Admin();
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/subjects/ALLOW-1")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();
        var send = new DicomSendRequest("SCP_QR_ONLY", $"subjects/ALLOW-1/sessions/{session}");

        var notAllowed = await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", send).ShouldHaveStatus(HttpStatusCode.Forbidden);
        var notAllowedForAdmin = await admin.PostAsJsonAsync($"api/projects/{project}/dicom/send", send).ShouldHaveStatus(HttpStatusCode.Forbidden);
        var othersNode = await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", send with { Node = "SCP_OTHER" }).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PostAsync("api/dicom/nodes/SCP_OTHER/echo", null).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PostAsync("api/dicom/nodes/SCP_SITE/echo", null).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", send with { Node = "SCP_SITE" }).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PostAsync("api/dicom/nodes/SCP_QR_ONLY/echo", null).ShouldHaveStatus(HttpStatusCode.OK);
        await admin.PostAsync("api/dicom/nodes/SCP_SITE/echo", null).ShouldHaveStatus(HttpStatusCode.OK);
        var sentByAdmin = await (await admin.PostAsJsonAsync($"api/projects/{project}/dicom/send", send with { Node = "SCP_SITE" })
            .ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<DicomSendReport>();

        (await notAllowed.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("does not allow sending to SCP_QR_ONLY");
        (await notAllowedForAdmin.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("add 'store'");
        (await othersNode.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("not a node of a project you may change");
        sentByAdmin.Sent.ShouldBe(1);
        storescp.Files.Count.ShouldBe(1, "only the admin's send to the site node reached the peer");
    }

    /// <summary>
    /// A public project is readable by all, but only its own people make the server send it to a node (regression:
    /// anyone, anonymous too, could make the server send a public project's instances to its node, again and again).
    /// </summary>
    [Fact]
    public async Task APublicProject_IsSentOnlyByItsOwnPeople()
    {
        await using var storescp = await StorescpProcess.StartAsync("SCP_PUBLIC");
        var owner = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner, Visibility.Public);
        await PutNodeAsync("SCP_PUBLIC", storescp.Port, project);
        using (var ownerClient = new Tessera.Client.TesseraClient(server.Http(owner)))
            await ownerClient.ImportFileAsync(project, "f.dcm", new MemoryStream(TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), "PUB-1")));
        using var http = server.Http(owner);
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/subjects/PUB-1")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();
        var send = new DicomSendRequest("SCP_PUBLIC", $"subjects/PUB-1/sessions/{session}");

        using var anonymous = server.Http();
        using var stranger = server.Http(outsider);
        await anonymous.PostAsJsonAsync($"api/projects/{project}/dicom/send", send).ShouldHaveStatus(HttpStatusCode.Unauthorized);
        await stranger.PostAsJsonAsync($"api/projects/{project}/dicom/send", send).ShouldHaveStatus(HttpStatusCode.Forbidden);
        await http.PostAsJsonAsync($"api/projects/{project}/dicom/send", send).ShouldHaveStatus(HttpStatusCode.OK);

        storescp.Files.Count.ShouldBe(1);
    }

    /// <summary>A storage-only peer (storescp) asked to answer a query or a retrieval: a 400 that says why (regression: a 500).</summary>
    [Fact]
    public async Task AStorageOnlyNode_AskedToQueryOrRetrieve_AnswersWhy()
    {
        await using var storescp = await StorescpProcess.StartAsync("SCP_STORE_ONLY");
        var project = await server.CreateProjectAsync();
        await PutNodeAsync("SCP_STORE_ONLY", storescp.Port, project, ["echo", "store", "find", "move", "get"]);
        using var admin = server.Admin();
        var keys = new Dictionary<string, string> { ["StudyInstanceUID"] = "1.2.3" };

        var find = await admin.PostAsJsonAsync("api/dicom/nodes/SCP_STORE_ONLY/find", new DicomFindRequest("STUDY", "study", keys)).ShouldHaveStatus(HttpStatusCode.BadRequest);
        var move = await admin.PostAsJsonAsync($"api/projects/{project}/dicom/retrieve", new DicomRetrieveRequest("SCP_STORE_ONLY", "STUDY", keys, "move")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        var get = await admin.PostAsJsonAsync($"api/projects/{project}/dicom/retrieve", new DicomRetrieveRequest("SCP_STORE_ONLY", "STUDY", keys, "get")).ShouldHaveStatus(HttpStatusCode.BadRequest);

        (await find.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("accepted the association but not queries");
        (await move.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("not retrieval by C-MOVE");
        (await get.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("not retrieval by C-GET");
    }

    private async Task PutNodeAsync(string aeTitle, int port, string? project = null, string[]? allow = null)
    {
        using var admin = server.Admin();
        var body = JsonSerializer.Serialize(new { host = "127.0.0.1", port, allow = allow ?? ["echo", "store"], project });
        (await admin.PutAsync($"api/dicom/nodes/{aeTitle}", HttpAssertions.Json(body))).EnsureSuccessStatusCode();
    }
}
