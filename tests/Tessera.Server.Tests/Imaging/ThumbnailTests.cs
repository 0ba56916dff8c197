using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive.Data;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Archive.Storage;
using Tessera.Client;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>Scan and session thumbnails: made once from the series' middle image, kept as a blob the sweeper leaves alone.</summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class ThumbnailTests(TestServer server) : IClassFixture<TestServer>
{
    private async Task<(string Project, string Scan)> ImportSeriesAsync()
    {
        var project = await server.CreateProjectAsync();
        string? target = null;
        using var client = new TesseraClient(server.Admin());
        foreach (var file in Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).Order())
        {
            await using var content = File.OpenRead(file);
            target ??= (await client.ImportFileAsync(project, Path.GetFileName(file), content)).Files[0].Target;
        }
        return (project, target!);
    }

    [Fact]
    public async Task ScanAndSession_GetAJpegThumbnailFittedInto256()
    {
        var (project, scan) = await ImportSeriesAsync();
        using var http = server.Admin();
        using var response = await http.GetAsync($"api/projects/{project}/{scan}/thumbnail");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        var image = JpegDecoder.DecodeFile(await response.Content.ReadAsByteArrayAsync());
        Math.Max(image.Width, image.Height).ShouldBe(256);
        var session = scan[..scan.IndexOf("/scans/", StringComparison.Ordinal)];
        using var sessionResponse = await http.GetAsync($"api/projects/{project}/{session}/thumbnail");
        sessionResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        sessionResponse.Headers.ETag.ShouldBe(response.Headers.ETag);
        using var again = new HttpRequestMessage(HttpMethod.Get, $"api/projects/{project}/{scan}/thumbnail");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        (await http.SendAsync(again)).StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Thumbnail_IsStoredOnceAsABlob_AndSurvivesTheSweeper()
    {
        var (project, scan) = await ImportSeriesAsync();
        using var http = server.Admin();
        (await http.GetAsync($"api/projects/{project}/{scan}/thumbnail")).EnsureSuccessStatusCode();
        using var scope = server.App.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var derived = await db.DerivedImages.Where(d => d.Kind == ThumbnailService.Kind && d.State == "ready").ToListAsync();
        derived.ShouldNotBeEmpty();
        var key = derived[^1].BlobKey!;
        (await scope.ServiceProvider.GetRequiredService<IBlobStore>().ExistsAsync(key, CancellationToken.None)).ShouldBeTrue();
        await db.Database.ExecuteSqlAsync($"UPDATE blobs SET leased_at = {DateTime.UtcNow.AddDays(-30)} WHERE key = {key}");
        await scope.ServiceProvider.GetRequiredService<BlobSweeper>().SweepAsync(CancellationToken.None);
        (await scope.ServiceProvider.GetRequiredService<IBlobStore>().ExistsAsync(key, CancellationToken.None)).ShouldBeTrue();
    }

    [Fact]
    public async Task ScanWithoutImages_Answers404()
    {
        var project = await server.CreateProjectAsync();
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, "subjects/S");
        await client.PutEntityAsync(project, "subjects/S/sessions/E");
        await client.PutEntityAsync(project, "subjects/S/sessions/E/scans/1");
        await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "notes", "readme.txt", new MemoryStream("no pixels"u8.ToArray()));
        await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "notes", "fake.png", new MemoryStream("not a png"u8.ToArray()));
        using var http = server.Admin();
        (await http.GetAsync($"api/projects/{project}/subjects/S/sessions/E/scans/1/thumbnail")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync($"api/projects/{project}/subjects/S/sessions/E/thumbnail")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var anonymous = server.Http();
        (await anonymous.GetAsync($"api/projects/{project}/subjects/S/sessions/E/scans/1/thumbnail")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
