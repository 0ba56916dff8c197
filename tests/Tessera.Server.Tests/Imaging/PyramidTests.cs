using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive.Data;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Encoding;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>
/// A site that builds pyramids for pictures from 4 megapixels and decodes PNG and JPEG whole up to 5 (the defaults
/// are 16 and 64), so that test images stay small.
/// </summary>
public sealed class PyramidServer : TestServer
{
    public PyramidServer()
    {
        Settings["Imaging:PyramidMinPixels"] = "4000000";
        Settings["Imaging:MaxDecodedPixels"] = "5000000";
    }
}

/// <summary>
/// A site like <see cref="PyramidServer"/> whose pyramid builds take four seconds longer (libvips behind a wrapper
/// that waits first), so that what is shown while one is built can be seen.
/// </summary>
public sealed class SlowPyramidServer : TestServer
{
    public SlowPyramidServer()
    {
        Directory.CreateDirectory(DataDirectory);
        var wrapper = Path.Combine(DataDirectory, "slow-vips");
        File.WriteAllText(wrapper, "#!/bin/sh\n[ \"$1\" = tiffsave ] && sleep 4\nexec vips \"$@\"\n");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Settings["Imaging:VipsCommand"] = wrapper;
        Settings["Imaging:PyramidMinPixels"] = "4000000";
        Settings["Imaging:MaxDecodedPixels"] = "5000000";
    }
}

/// <summary>
/// Pyramids for large flat pictures: queued as they are stored, built by libvips in the background with the state
/// and percent in info.json, shown from the source until then, and from the pyramid's stored tiles after.
/// </summary>
[Collection(ImageHeavyTests.Name)]
public sealed class PyramidTests(PyramidServer server) : IClassFixture<PyramidServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-pyramid-test-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private string Picture(string name, int width, int height) => VipsTool.Picture(_work, name, width, height);

    private static void Vips(params string[] arguments) => VipsTool.Run(arguments);

    private async Task<Guid> UploadAsync(string project, string path) =>
        await ImageFiles.UploadBytesAsync(server, project, Path.GetFileName(path), await File.ReadAllBytesAsync(path));

    private static string? PyramidState(JsonElement info) =>
        info.GetProperty("tessera").TryGetProperty("pyramid", out var pyramid) ? pyramid.GetProperty("state").GetString() : null;

    [Fact]
    public async Task FlatTiff_IsShownFromItsStripsAtOnce_ThenFromItsBuiltPyramid()
    {
        var project = await server.CreateProjectAsync();
        var source = Picture("flat.tif", 3000, 2000);
        var id = await UploadAsync(project, source);
        using var http = server.Admin();

        // At once: while the pyramid is due the answer is provisional (not cached) and is the stored pixels exactly
        // (the strips are read as asked); if the pyramid was already built, it is its JPEG tile.
        var expected = Path.Combine(_work, "expected.png");
        Vips("crop", source, expected, "1024", "512", "256", "256");
        using (var early = await http.GetAsync($"iiif/3/{id}/1024,512,256,256/256,/0/default.png"))
        {
            early.StatusCode.ShouldBe(HttpStatusCode.OK);
            var tile = PngDecoder.Decode(await early.Content.ReadAsStreamAsync());
            var difference = ImageFiles.MeanDifference(tile, PngDecoder.Decode(File.OpenRead(expected)));
            if (early.Headers.CacheControl!.NoCache)
                difference.ShouldBe(0, "shown from the source");
            else
                difference.ShouldBeLessThan(4, "shown from the pyramid");
        }

        var info = await Poll.UntilAsync(() => ImageFiles.InfoAsync(http, id), i => PyramidState(i) is "ready" or "failed", "the pyramid is built", TimeSpan.FromSeconds(60));
        PyramidState(info).ShouldBe("ready");
        info.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("pyramidal TIFF");
        info.GetProperty("tessera").GetProperty("levels").GetInt32().ShouldBeGreaterThanOrEqualTo(4);
        info.GetProperty("tiles")[0].GetProperty("width").GetInt32().ShouldBe(256);

        // From the pyramid: its stored JPEG tiles are sent as they are, and they show the source's pixels.
        using var tileResponse = await http.GetAsync($"iiif/3/{id}/1024,512,256,256/256,/0/default.jpg");
        tileResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        tileResponse.Headers.GetValues("X-Tessera-Tile").ShouldBe(["stored"]);
        var built = JpegDecoder.DecodeFile(await tileResponse.Content.ReadAsByteArrayAsync());
        ImageFiles.MeanDifference(built, PngDecoder.Decode(File.OpenRead(expected))).ShouldBeLessThan(4, "JPEG at quality 85");
        tileResponse.Headers.CacheControl!.NoCache.ShouldBeFalse("a built pyramid's tiles are cached as usual");

        // The whole image at a small size comes from the pyramid's reduced levels.
        using var overview = await http.GetAsync($"iiif/3/{id}/full/300,/0/default.jpg");
        overview.StatusCode.ShouldBe(HttpStatusCode.OK);
        JpegDecoder.DecodeFile(await overview.Content.ReadAsByteArrayAsync()).Width.ShouldBe(300);
    }

    [Fact]
    public async Task PngOverTheDecodeLimit_IsShownBandByBandAtOnce_ThenFromItsPyramid()
    {
        var project = await server.CreateProjectAsync();
        var source = Picture("large.png", 3000, 2400);
        var id = await UploadAsync(project, source);
        using var http = server.Admin();
        var info = await ImageFiles.InfoAsync(http, id);
        (info.GetProperty("width").GetInt32(), info.GetProperty("height").GetInt32()).ShouldBe((3000, 2400));
        var expected = Path.Combine(_work, "expected.png");
        Vips("crop", source, expected, "2000", "1800", "512", "512");
        using (var tile = await http.GetAsync($"iiif/3/{id}/2000,1800,512,512/512,/0/default.png"))
        {
            tile.StatusCode.ShouldBe(HttpStatusCode.OK);
            var difference = ImageFiles.MeanDifference(PngDecoder.Decode(await tile.Content.ReadAsStreamAsync()), PngDecoder.Decode(File.OpenRead(expected)));
            if (tile.Headers.CacheControl!.NoCache)
                difference.ShouldBe(0, "read from the PNG's rows");
            else
                difference.ShouldBeLessThan(4, "from the pyramid");
        }
        using (var overview = await http.GetAsync($"iiif/3/{id}/full/!512,512/0/default.jpg"))
            overview.StatusCode.ShouldBe(HttpStatusCode.OK);
        info = await Poll.UntilAsync(() => ImageFiles.InfoAsync(http, id), i => PyramidState(i) is "ready" or "failed", "the large PNG's pyramid is built", TimeSpan.FromSeconds(120));
        PyramidState(info).ShouldBe("ready");
        info.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("pyramidal TIFF");
    }

    [Fact]
    public async Task SmallPictures_NeedNone_AndABrokenOneFailsWithLibvipsReason_TheServerLives()
    {
        var project = await server.CreateProjectAsync();
        var small = await UploadAsync(project, Picture("small.png", 600, 400));
        var whole = await File.ReadAllBytesAsync(Picture("broken.png", 2500, 2000));
        var broken = await ImageFiles.UploadBytesAsync(server, project, "broken.png", whole[..(whole.Length / 2)]);
        var keys = new Dictionary<Guid, string>();
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
            foreach (var id in (Guid[])[small, broken])
                keys[id] = await db.Files.Where(f => f.Id == id).Select(f => f.Sha256).SingleAsync();
        }
        async Task<DerivedImage?> RowAsync(Guid id)
        {
            await using var scope = server.App.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ArchiveDbContext>().DerivedImages.AsNoTracking()
                .FirstOrDefaultAsync(d => d.SourceKey == keys[id] && d.Kind == PyramidService.Kind);
        }
        var row = await Poll.UntilAsync(() => RowAsync(small), r => r is { State: not ("pending" or "building") }, "the small picture is looked at");
        row!.State.ShouldBe(PyramidService.Unneeded);
        var failed = await Poll.UntilAsync(() => RowAsync(broken), r => r is { State: not ("pending" or "building") }, "the broken picture is tried", TimeSpan.FromSeconds(60));
        failed!.State.ShouldBe(PyramidService.Failed);
        (failed.Error ?? "").ShouldContain("libvips");

        using var http = server.Admin();
        (await http.GetAsync($"iiif/3/{small}/info.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var brokenInfo = await http.GetAsync($"iiif/3/{broken}/info.json");
        brokenInfo.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, "a truncated PNG is a clear error, before and after");
        // The worker and server carry on: another picture is still built.
        var next = await UploadAsync(project, Picture("after.png", 2500, 2000));
        var info = await Poll.UntilAsync(() => ImageFiles.InfoAsync(http, next), i => PyramidState(i) is "ready" or "failed", "the next pyramid is built", TimeSpan.FromSeconds(60));
        PyramidState(info).ShouldBe("ready");
    }
}
