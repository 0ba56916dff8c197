using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>
/// What a JPEG larger than is decoded whole answers while its pyramid is built (for four seconds at least, on this
/// site): its overview at once, a 503 with Retry-After for full resolution; then everything from the pyramid.
/// </summary>
[Collection(ImageHeavyTests.Name)]
public sealed class PyramidInProgressTests(SlowPyramidServer server) : IClassFixture<SlowPyramidServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-pyramid-progress-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task LargeJpeg_ShowsItsOverviewAtOnce_FullResolutionWhenItsPyramidIsReady()
    {
        var project = await server.CreateProjectAsync();
        var path = VipsTool.Picture(_work, "large.jpg", 3000, 2400);
        var id = await ImageFiles.UploadBytesAsync(server, project, "large.jpg", await File.ReadAllBytesAsync(path));
        using var http = server.Admin();

        var info = await ImageFiles.InfoAsync(http, id);
        (info.GetProperty("width").GetInt32(), info.GetProperty("height").GetInt32()).ShouldBe((3000, 2400));
        var tessera = info.GetProperty("tessera");
        tessera.GetProperty("pyramid").GetProperty("state").GetString().ShouldBeOneOf("pending", "building");
        tessera.GetProperty("levels").GetInt32().ShouldBe(2, "the picture and its reduced decode");
        using (var overview = await http.GetAsync($"iiif/3/{id}/full/!300,300/0/default.jpg"))
        {
            overview.StatusCode.ShouldBe(HttpStatusCode.OK);
            overview.Headers.CacheControl!.NoCache.ShouldBeTrue("provisional while the pyramid is built");
            JpegDecoder.DecodeFile(await overview.Content.ReadAsByteArrayAsync()).Width.ShouldBe(300);
        }
        using (var detail = await http.GetAsync($"iiif/3/{id}/1024,1024,256,256/256,/0/default.jpg"))
        {
            detail.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            detail.Headers.RetryAfter.ShouldNotBeNull();
            (await detail.Content.ReadAsStringAsync()).ShouldContain("once its pyramid is built");
        }

        info = await Poll.UntilAsync(() => ImageFiles.InfoAsync(http, id),
            i => i.GetProperty("tessera").GetProperty("pyramid").GetProperty("state").GetString() is "ready" or "failed",
            "the pyramid is built", TimeSpan.FromSeconds(60));
        info.GetProperty("tessera").GetProperty("pyramid").GetProperty("state").GetString().ShouldBe("ready");
        using var tile = await http.GetAsync($"iiif/3/{id}/1024,1024,256,256/256,/0/default.jpg");
        tile.StatusCode.ShouldBe(HttpStatusCode.OK);
        tile.Headers.GetValues("X-Tessera-Tile").ShouldBe(["stored"]);
    }
}
