using System.IO.Compression;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// The example tools of examples/tools, as the README's walk-through registers and runs them: each runs on a
/// session with its default inputs, in the sandbox, and its assessment holds what the files say.
/// </summary>
public sealed class ExampleToolsTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Nifti = "libvips/avg152T1_LR_nifti.nii.gz";

    private static string Examples => Path.Combine(RepositoryRoot(), "examples", "tools");

    [Theory]
    [InlineData("file-inventory")]
    [InlineData("image-statistics")]
    public void EachDescriptor_CarriesItsScriptAsItsCommandLine(string tool)
    {
        var descriptor = JsonNode.Parse(File.ReadAllText(Path.Combine(Examples, tool + ".json")))!;
        descriptor["command-line"]!.GetValue<string>().ShouldBe(File.ReadAllText(Path.Combine(Examples, tool + ".sh")),
            $"{tool}.json's command-line is {tool}.sh (see examples/tools/README.md to embed it again)");
    }

    [Fact]
    public async Task BothTools_RunOnASession_WithTheirDefaults_AndRecordWhatTheFilesSay()
    {
        ExecutorJobTests.RequireSandbox();
        using var admin = server.Admin();
        foreach (var tool in new[] { "file-inventory", "image-statistics" })
        {
            var type = $"example/{tool}";
            if ((await admin.GetAsync($"api/assessment-types/{type}")).StatusCode == System.Net.HttpStatusCode.NotFound)
                (await admin.PutAsync($"api/assessment-types/{type}", HttpAssertions.Json(File.ReadAllText(Path.Combine(Examples, tool + ".assessment.json"))))).EnsureSuccessStatusCode();
        }
        var (project, owner, member) = await JobApi.ProjectAsync(server);
        var picture = Tessera.Imaging.Encoding.PngEncoder.Encode(new Tessera.Imaging.Pixels.RasterImage(4, 2, 1, [0, 10, 20, 30, 40, 50, 60, 70]));
        using (var client = new TesseraClient(server.Http(member)))
        {
            await using var nifti = File.OpenRead(TestCorpus.File(Nifti));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "NIFTI", "t1.nii.gz", nifti);
            await client.UploadFileAsync(project, "subjects/S/sessions/E", "NOTES", "readme.txt", new MemoryStream("notes"u8.ToArray()));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "PICTURES", "ramp.png", new MemoryStream(picture));
        }
        // Registered as the walk-through does: by the project's owner, for the project.
        using var ownerHttp = server.Http(owner);
        var tools = new Dictionary<string, string>();
        foreach (var tool in new[] { "file-inventory", "image-statistics" })
        {
            using var registered = await ownerHttp.PostAsync($"api/projects/{project}/tools", HttpAssertions.Json(File.ReadAllText(Path.Combine(Examples, tool + ".json"))));
            registered.IsSuccessStatusCode.ShouldBeTrue(await registered.Content.ReadAsStringAsync());
            tools[tool] = (await registered.Content.ReadFromJsonAsync<ToolDto>(JsonSerializerOptions.Web))!.Id;
        }
        using var http = server.Http(member);

        var inventory = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tools["file-inventory"], "subjects/S/sessions/E")).Id);
        var statistics = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tools["image-statistics"], "subjects/S/sessions/E")).Id);

        inventory.State.ShouldBe("complete", $"{inventory.Reason}\n{await JobApi.LogAsync(http, inventory.Id)}");
        statistics.State.ShouldBe("complete", $"{statistics.Reason}\n{await JobApi.LogAsync(http, statistics.Id)}");
        // A successful run says nothing alarming (a reader closing a pipe early once printed "gzip: stdout: Broken pipe").
        (await JobApi.LogAsync(http, statistics.Id)).ShouldNotContain("Broken pipe");
        var counted = await AssessmentAsync(http, project, "example/file-inventory");
        counted.GetProperty("files").GetInt32().ShouldBe(3);
        counted.GetProperty("resources").GetInt32().ShouldBe(3);
        counted.GetProperty("bytes").GetInt64().ShouldBe(new FileInfo(TestCorpus.File(Nifti)).Length + 5 + picture.Length);
        var table = await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/file-inventory/files/inventory.tsv");
        table.ShouldContain($"NOTES/readme.txt\t5\t{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("notes"u8))}");

        // The volume's voxels are unsigned bytes after a 352-byte header (scale 1): the expected moments from the file itself.
        await using var gz = new GZipStream(File.OpenRead(TestCorpus.File(Nifti)), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        await gz.CopyToAsync(raw);
        var voxels = raw.ToArray()[352..];
        var mean = voxels.Average(v => (double)v);
        var measured = await AssessmentAsync(http, project, "example/image-statistics");
        var vips = File.Exists("/usr/bin/vips");
        measured.GetProperty("images").GetInt32().ShouldBe(vips ? 2 : 1);
        if (!vips)
        {
            measured.GetProperty("voxels").GetInt64().ShouldBe(91 * 109 * 91);
            measured.GetProperty("mean").GetDouble().ShouldBe(mean, 0.01);
            measured.GetProperty("sd").GetDouble().ShouldBe(Math.Sqrt(voxels.Average(v => (v - mean) * (v - mean))), 0.01);
        }
        else
        {
            measured.GetProperty("voxels").GetInt64().ShouldBe(91 * 109 * 91 + 8);
            measured.GetProperty("mean").GetDouble().ShouldBe((voxels.Sum(v => (double)v) + 280) / (voxels.Length + 8), 0.01);
        }
        measured.GetProperty("max").GetDouble().ShouldBe(voxels.Max());
        var rows = await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/image-statistics/files/statistics.tsv");
        rows.ShouldContain("scans/1/NIFTI/t1.nii.gz\tnifti\t91x109x91\t902629\t");
    }

    private static async Task<JsonElement> AssessmentAsync(HttpClient http, string project, string type) =>
        (await http.GetFromJsonAsync<PageDto<AssessmentDto>>($"api/projects/{project}/assessments?type={type}"))!.Items.ShouldHaveSingleItem().Values;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "examples", "tools")))
                return dir.FullName;
        }
        throw new InvalidOperationException("examples/tools is not above the test's folder.");
    }
}
