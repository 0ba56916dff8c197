using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom.Media;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary><c>tessera import</c> of a disc's folder through its DICOMDIR, and <c>tessera download --dicom-media</c>, as a child process.</summary>
public sealed class DicomMediaCliTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-cli-media-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task ImportDiscFolder_ThenDownloadAsMedia_ThenImportThatFolder_SameInstances()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        var copy = await server.CreateProjectAsync(user);
        using (var client = server.Client(user))
        {
            var token = await client.CreateTokenAsync(new CreateTokenRequest("cli-media", 1));
            _cli.Environment["TESSERA_URL"] = server.BaseAddress.ToString();
            _cli.Environment["TESSERA_TOKEN"] = token.Token;
        }
        // A disc as dcmtk writes one, then as a desktop copies it: lower-case names, one image lost, a viewer beside.
        var corpus = Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).Order(StringComparer.Ordinal).Take(6).ToList();
        var disc = Path.Combine(_work, "made");
        Directory.CreateDirectory(Path.Combine(disc, "IMAGES"));
        for (var i = 0; i < corpus.Count; i++)
            File.Copy(corpus[i], Path.Combine(disc, "IMAGES", $"IM{i + 1}"));
        var (exit, made) = await Dcmtk.RunAsync("dcmmkdir", "-q", "-Nxc", "+I", "+r", "+id", disc, "+D", Path.Combine(disc, "DICOMDIR"));
        exit.ShouldBe(0, made);
        var cd = Path.Combine(_work, "cd");
        Directory.CreateDirectory(Path.Combine(cd, "images"));
        File.Copy(Path.Combine(disc, "DICOMDIR"), Path.Combine(cd, "dicomdir"));
        for (var i = 1; i < corpus.Count; i++)
            File.Copy(corpus[i], Path.Combine(cd, "images", $"im{i + 1}"));
        File.WriteAllText(Path.Combine(cd, "autorun.inf"), "[autorun]");
        // A DICOM file the disc does not reference and the archive refuses: refused, not also "imported all the same".
        File.WriteAllBytes(Path.Combine(cd, "images", "broken"), File.ReadAllBytes(corpus[1])[..400]);

        var import = await _cli.RunAsync("import", cd, "--project", project);

        import.ExitCode.ShouldBe(1, import.ToString()); // a referenced file is missing
        import.Stdout.ShouldContain($"dicomdir (file-set DCMTK_MEDIA_DEMO): {corpus.Count - 1} of the {corpus.Count} files it references found, 1 missing, 0 refused, 2 on the disc but not referenced.");
        import.Stdout.ShouldContain($"Stored {corpus.Count - 1}, duplicates 0, new versions 0, rejected 1, other files stored 0, not stored 0, missing 1, skipped 1, failed 0.", Case.Sensitive, import.ToString());
        import.Stderr.ShouldContain("IMAGES/IM1: missing: referenced by dicomdir");
        import.Stderr.ShouldContain("images/broken: not stored: ");
        import.Stdout.ShouldNotContain("images/broken: on the disc");

        using var http = server.Http(user);
        var session = (await http.GetFromJsonAsync<JsonElement>($"api/projects/{project}/subjects/583295")).GetProperty("sessions").GetProperty("items")[0].GetProperty("label").GetString();
        import.Stdout.ShouldContain($"\n  {project}/583295/{session}\n"); // the sessions filled, as paths the CLI takes
        var folder = Path.Combine(_work, "export");
        var media = await _cli.RunAsync("download", $"{project}/583295/{session}", "--dicom-media", "--out", folder);
        var zip = await _cli.RunAsync("download", $"{project}/583295/{session}", "--dicom-media", "--out", Path.Combine(_work, "export.zip"));
        var refused = await _cli.RunAsync("download", project, "--dicom-media", "--out", folder);

        media.ExitCode.ShouldBe(0, media.ToString());
        media.Stdout.ShouldContain($"Wrote a DICOMDIR and {corpus.Count - 1} DICOM files");
        DicomDirectory.ReadFile(Path.Combine(folder, "DICOMDIR")).FileRecords.Count().ShouldBe(corpus.Count - 1);
        Directory.GetFiles(Path.Combine(folder, "DICOM"), "*", SearchOption.AllDirectories).Length.ShouldBe(corpus.Count - 1);
        zip.ExitCode.ShouldBe(0, zip.ToString());
        File.Exists(Path.Combine(_work, "export.zip")).ShouldBeTrue();
        refused.ExitCode.ShouldBe(2, refused.ToString());

        var again = await _cli.RunAsync("import", folder, "--project", copy);
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain($"DICOMDIR (file-set TESSERA): {corpus.Count - 1} of the {corpus.Count - 1} files it references found, 0 missing");
        again.Stdout.ShouldContain($"Stored {corpus.Count - 1}, duplicates 0");
    }
}
