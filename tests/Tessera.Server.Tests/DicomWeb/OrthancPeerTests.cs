using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>
/// Orthanc's DICOMweb plugin with Tessera configured as a remote server: Orthanc stores into Tessera
/// (STOW-RS), and queries (QIDO-RS) and retrieves (WADO-RS) from it into its own archive.
/// </summary>
public sealed class OrthancPeerTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task Orthanc_StowsIntoTessera_QueriesAndRetrievesFromIt()
    {
        OrthancProcess.RequireInstalled();
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var url = $"{server.BaseAddress}dicom-web/projects/{project}/";
        await using var orthanc = await OrthancProcess.StartAsync(new Dictionary<string, (string, string, string)>
        {
            ["tessera"] = (url, owner, TestServer.PasswordOf(owner)),
        });
        try
        {
            await ExchangeAsync(orthanc, owner, project);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- Orthanc's log:\n{orthanc.Log}", e);
        }
    }

    [Fact]
    public async Task Orthanc_AsClient_GetsCompressedInstancesUncompressed_AndRenderedImages()
    {
        OrthancProcess.RequireInstalled();
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        string[] relatives = ["orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm", "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm"];
        var files = relatives.Select(TestCorpus.File).ToList();
        await server.Http(owner).PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom(files.Select(File.ReadAllBytes))).ShouldHaveStatus(HttpStatusCode.OK);
        await using var orthanc = await OrthancProcess.StartAsync(new Dictionary<string, (string, string, string)>
        {
            ["tessera"] = ($"{server.BaseAddress}dicom-web/projects/{project}/", owner, TestServer.PasswordOf(owner)),
        });
        try
        {
            foreach (var path in files)
                await FetchThroughOrthancAsync(orthanc, path);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n--- Orthanc's log:\n{orthanc.Log}", e);
        }
    }

    /// <summary>
    /// Orthanc's DICOMweb client asks Tessera (its /servers/{name}/get) for a frame and an instance uncompressed and
    /// for a rendering; the instance is then stored in Orthanc, which must read it and find the same pixels.
    /// </summary>
    private static async Task FetchThroughOrthancAsync(OrthancProcess orthanc, string path)
    {
        var original = DicomReader.ReadFile(path, new DicomReadOptions { BulkDataThreshold = 4096 });
        var d = original.Dataset;
        var instance = $"/studies/{d.GetString(DicomTags.StudyInstanceUid)}/series/{d.GetString(DicomTags.SeriesInstanceUid)}/instances/{original.SopInstanceUid}";
        var pixels = Tessera.Imaging.Dicom.DicomPixelData.Open(original);
        var decoded = pixels.DecodeFrame(0);
        async Task<HttpResponseMessage> GetAsync(string uri, string accept) => await orthanc.Http.PostAsync("dicom-web/servers/tessera/get",
            HttpAssertions.Json(JsonSerializer.Serialize(new { Uri = uri, HttpHeaders = new Dictionary<string, string> { ["Accept"] = accept } })))
            .ShouldHaveStatus(HttpStatusCode.OK);

        var frame = await Multipart.ReadAsync(await GetAsync(instance + "/frames/1", "multipart/related; type=\"application/octet-stream\""));
        frame.Single().Bytes.ShouldBe(decoded.Data, path);

        var rendered = await GetAsync(instance + "/rendered", "image/png");
        Tessera.Imaging.Encoding.PngDecoder.Decode(await rendered.Content.ReadAsStreamAsync()).Data
            .ShouldBe(Tessera.Imaging.Display.FrameRenderer.Render(decoded, pixels.Display(0)).Pixels, path);

        var parts = await Multipart.ReadAsync(await GetAsync(instance, "multipart/related; type=\"application/dicom\""));
        var uncompressed = parts.Single().Bytes;
        DicomReader.Read(new MemoryStream(uncompressed)).Syntax.ShouldBe(TransferSyntax.ExplicitVrLittleEndian);
        var added = await orthanc.Http.PostAsync("instances", new ByteArrayContent(uncompressed)).ShouldHaveStatus(HttpStatusCode.OK);
        var id = (await added.ReadJson<JsonElement>()).GetProperty("ID").GetString();
        (await orthanc.Http.GetByteArrayAsync($"instances/{id}/frames/0/raw")).ShouldBe(decoded.Data, path);
    }

    private async Task ExchangeAsync(OrthancProcess orthanc, string owner, string project)
    {
        var files = Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).Order(StringComparer.Ordinal).ToList();
        var header = DicomReader.ReadFile(files[0], DicomReadOptions.Headers).Dataset;
        var study = header.GetString(DicomTags.StudyInstanceUid)!;

        // Into Orthanc, then from Orthanc to Tessera by STOW-RS.
        string? orthancStudy = null;
        foreach (var file in files)
        {
            var added = await orthanc.Http.PostAsync("instances", new ByteArrayContent(File.ReadAllBytes(file))).ShouldHaveStatus(HttpStatusCode.OK);
            orthancStudy = (await added.ReadJson<JsonElement>()).GetProperty("ParentStudy").GetString();
        }
        await orthanc.Http.PostAsync("dicom-web/servers/tessera/stow", HttpAssertions.Json($"{{\"Resources\": [\"{orthancStudy}\"]}}"))
            .ShouldHaveStatus(HttpStatusCode.OK);
        var stored = await server.Http(owner).GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies/{study}/instances");
        stored.GetArrayLength().ShouldBe(files.Count);
        var retrieved = await Multipart.ReadAsync(await server.Http(owner).SendAsync(Multipart.Get(
            $"dicom-web/projects/{project}/studies/{study}/series/{header.GetString(DicomTags.SeriesInstanceUid)}/instances/{header.GetString(DicomTags.SopInstanceUid)}",
            "multipart/related; type=\"application/dicom\"; transfer-syntax=*")));
        retrieved.Single().Bytes.ShouldBe(File.ReadAllBytes(files[0])); // Orthanc sent the file as it holds it

        // Orthanc forgets the study, finds it in Tessera by QIDO-RS, and retrieves it by WADO-RS.
        await orthanc.Http.DeleteAsync($"studies/{orthancStudy}").ShouldHaveStatus(HttpStatusCode.OK);
        var found = await orthanc.Http.PostAsync("dicom-web/servers/tessera/qido",
            HttpAssertions.Json($"{{\"Uri\": \"/studies\", \"Arguments\": {{\"StudyInstanceUID\": \"{study}\"}}}}")).ShouldHaveStatus(HttpStatusCode.OK);
        var studies = await found.ReadJson<JsonElement>();
        studies.GetArrayLength().ShouldBe(1);
        studies[0].GetRawText().ShouldContain(study); // Orthanc reshapes the answer into its own JSON

        await orthanc.Http.PostAsync("dicom-web/servers/tessera/retrieve",
            HttpAssertions.Json($"{{\"Resources\": [{{\"Study\": \"{study}\"}}]}}")).ShouldHaveStatus(HttpStatusCode.OK);
        var back = await orthanc.Http.GetFromJsonAsync<JsonElement>("instances");
        back.GetArrayLength().ShouldBe(files.Count);
        var lookup = await orthanc.Http.PostAsync("tools/lookup", new StringContent(header.GetString(DicomTags.SopInstanceUid)!)).ShouldHaveStatus(HttpStatusCode.OK);
        var orthancInstance = (await lookup.ReadJson<JsonElement>())[0].GetProperty("ID").GetString();
        (await orthanc.Http.GetByteArrayAsync($"instances/{orthancInstance}/file")).ShouldBe(File.ReadAllBytes(files[0]));
    }
}
