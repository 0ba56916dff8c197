using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>A DICOM VL whole-slide series (CMU-1 by orthanc-wsi: five levels, TILED_SPARSE) as one IIIF pyramid.</summary>
[Collection(ImageHeavyTests.Name)]
public sealed class WholeSlideTests(TestServer server) : IClassFixture<TestServer>
{
    private async Task<(string Project, List<Guid> Files)> ImportAsync()
    {
        var project = await server.CreateProjectAsync();
        using var client = new TesseraClient(server.Admin());
        foreach (var file in Directory.GetFiles(TestCorpus.File("derived/cmu1-small-region-dicom-wsi")).Order())
        {
            await using var content = File.OpenRead(file);
            await client.ImportFileAsync(project, Path.GetFileName(file), content);
        }
        // The instances' files, from the DICOM index.
        using var scope = server.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<Tessera.Archive.Data.ArchiveDbContext>();
        var projectId = await db.Projects.Where(p => p.Slug == project).Select(p => p.Id).SingleAsync();
        var ids = await db.DicomInstances.Where(i => i.ProjectId == projectId).Select(i => i.FileId).ToListAsync();
        return (project, ids);
    }

    [Fact]
    public async Task AnyInstance_ShowsTheSeriesPyramid_GridTilesAreSentAsStored_TilesMatchTheReference()
    {
        var (_, files) = await ImportAsync();
        files.Count.ShouldBe(5);
        using var http = server.Admin();
        foreach (var file in files)
        {
            var info = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{file}/info.json")).RootElement;
            (info.GetProperty("width").GetInt32(), info.GetProperty("height").GetInt32()).ShouldBe((2220, 2967));
            info.GetProperty("tessera").GetProperty("levels").GetInt32().ShouldBe(5);
            info.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("DICOM whole-slide");
            info.GetProperty("tiles")[0].GetProperty("width").GetInt32().ShouldBe(240);
        }
        using var stored = await http.GetAsync($"iiif/3/{files[0]}/240,480,240,240/240,/0/default.jpg");
        stored.StatusCode.ShouldBe(HttpStatusCode.OK);
        stored.Headers.GetValues("X-Tessera-Tile").ShouldContain("stored");
        using var halved = await http.GetAsync($"iiif/3/{files[0]}/480,480,480,480/240,/0/default.jpg");
        halved.Headers.GetValues("X-Tessera-Tile").ShouldContain("stored", "level 1 holds that tile");
        await TilesMatchTheReferenceIiifTileSetAsync(files);
    }

    /// <summary>Part of the test above, on the same import.</summary>
    private async Task TilesMatchTheReferenceIiifTileSetAsync(List<Guid> files)
    {
        using var http = server.Admin();
        var tiles = await ImageFiles.CompareWithReferenceIiifAsync(http, files[0]);
        // The DICOM levels were made from the slide by orthanc-wsi (its own shrinking, JPEG once more):
        // measured, full-resolution tiles differ by about 2 levels on average, the busiest reduced one by 13.4.
        foreach (var (request, mean) in tiles)
            mean.ShouldBeLessThan(15, $"{request}: mean {mean:F2}");
        tiles.Average(t => t.Mean).ShouldBeLessThan(3);
    }
}
