using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>
/// IIIF Image API 3.0 over HTTP on real files: the CMU-1 slide against the reference IIIF tile set made by libvips
/// (geometry exact, pixels within a JPEG's tolerance), DICOM with windows and frames, the request grammar's errors,
/// CORS, ETags and access.
/// </summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class IiifTests(TestServer server) : IClassFixture<TestServer>
{
    private static PixelFrame Jpeg(byte[] bytes) => JpegDecoder.DecodeFile(bytes);

    [Fact]
    public async Task InfoJson_Slide_DescribesSizeTilesAndSizes()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        using var response = await http.GetAsync($"iiif/3/{image}/info.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldContain("*");
        response.Headers.ETag.ShouldNotBeNull();
        var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        info.GetProperty("@context").GetString().ShouldBe("http://iiif.io/api/image/3/context.json");
        info.GetProperty("id").GetString()!.ShouldEndWith($"/iiif/3/{image}");
        info.GetProperty("type").GetString().ShouldBe("ImageService3");
        info.GetProperty("width").GetInt32().ShouldBe(2220);
        info.GetProperty("height").GetInt32().ShouldBe(2967);
        var reference = JsonDocument.Parse(File.ReadAllText(TestCorpus.File("derived/cmu1-small-region-iiif3/info.json"))).RootElement;
        info.GetProperty("tiles")[0].GetProperty("width").GetInt32().ShouldBe(reference.GetProperty("tiles")[0].GetProperty("width").GetInt32());
        info.GetProperty("tiles")[0].GetProperty("scaleFactors").EnumerateArray().Select(f => f.GetInt32())
            .ShouldBe(reference.GetProperty("tiles")[0].GetProperty("scaleFactors").EnumerateArray().Select(f => f.GetInt32()));
        info.GetProperty("sizes").GetArrayLength().ShouldBeGreaterThan(2);
        info.GetProperty("tessera").GetProperty("pixelSize").GetProperty("x").GetDouble().ShouldBe(0.499, 0.001);
    }

    [Fact]
    public async Task Tiles_Slide_MatchTheReferenceIiifTileSet()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        var tiles = await ImageFiles.CompareWithReferenceIiifAsync(http, image);
        tiles.Count.ShouldBeGreaterThan(100);
        // Both are JPEGs of the same pixels (ours at quality 85, libvips' at 75): measured, full-resolution
        // tiles differ by 1.5 levels on average, halved ones by 3, the busiest by 9.
        foreach (var (request, mean) in tiles)
            mean.ShouldBeLessThan(10, $"{request}: mean {mean:F2}");
        tiles.Average(t => t.Mean).ShouldBeLessThan(2.5);
    }

    [Fact]
    public async Task PyramidalTiff_GridTilesAreSentAsStored_AndMatchTheSlide()
    {
        var project = await server.CreateProjectAsync();
        var tiff = await ImageFiles.UploadAsync(server, project, "derived/cmu1-small-region.pyramid.jpeg.tif");
        using var http = server.Admin();
        var info = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{tiff}/info.json")).RootElement;
        info.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("pyramidal TIFF");
        var tile = info.GetProperty("tiles")[0].GetProperty("width").GetInt32();
        using var stored = await http.GetAsync($"iiif/3/{tiff}/{tile},{tile},{tile},{tile}/{tile},/0/default.jpg");
        stored.Headers.GetValues("X-Tessera-Tile").ShouldContain("stored");
        var tiles = await ImageFiles.CompareWithReferenceIiifAsync(http, tiff, take: 40);
        tiles.Average(t => t.Mean).ShouldBeLessThan(4, "the TIFF is libvips' pyramid of the same slide");
    }

    [Theory]
    [InlineData("full/max/0/default.png", 2220, 2967)]
    [InlineData("full/555,/0/default.jpg", 555, 742)]
    [InlineData("full/,742/0/default.jpg", 555, 742)]
    [InlineData("full/pct:10/0/default.jpg", 222, 297)]
    [InlineData("full/!300,300/0/default.jpg", 224, 300)]
    [InlineData("full/300,200/0/default.jpg", 300, 200)]
    [InlineData("square/100,/0/default.jpg", 100, 100)]
    [InlineData("pct:50,50,50,50/111,/0/default.jpg", 111, 148)]
    [InlineData("0,0,100,50/max/90/default.jpg", 50, 100)]
    [InlineData("0,0,100,50/max/!270/gray.png", 50, 100)]
    [InlineData("0,0,100,50/^200,/0/bitonal.png", 200, 100)]
    [InlineData("2000,2900,1000,1000/max/0/color.jpg", 220, 67)]
    public async Task Image_SizesRotationsQualities_GiveTheAskedGeometry(string request, int width, int height)
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        using var response = await http.GetAsync($"iiif/3/{image}/{request}");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var frame = request.EndsWith(".png", StringComparison.Ordinal) ? PngDecoder.Decode(new MemoryStream(bytes)) : Jpeg(bytes);
        (frame.Width, frame.Height).ShouldBe((width, height));
        if (request.Contains("gray", StringComparison.Ordinal) || request.Contains("bitonal", StringComparison.Ordinal))
            frame.Layout.SamplesPerPixel.ShouldBe(1);
        if (request.Contains("bitonal", StringComparison.Ordinal))
            frame.Data.ShouldAllBe(v => v == 0 || v == 255);
    }

    [Theory]
    [InlineData("nothing/max/0/default.jpg", 400)]
    [InlineData("0,0,0,10/max/0/default.jpg", 400)]
    [InlineData("5000,5000,10,10/max/0/default.jpg", 400)]
    [InlineData("full/5000,/0/default.jpg", 400)]
    [InlineData("full/max/45/default.jpg", 501)]
    [InlineData("full/max/0/sepia.jpg", 400)]
    [InlineData("full/max/0/default.webp", 415)]
    [InlineData("full/max/0/default", 400)]
    public async Task Image_BadRequest_GetsAClearProblem(string request, int status)
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        using var response = await http.GetAsync($"iiif/3/{image}/{request}");
        ((int)response.StatusCode).ShouldBe(status);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Image_SameRequestWithETag_Answers304()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        using var first = await http.GetAsync($"iiif/3/{image}/0,0,256,256/256,/0/default.jpg");
        first.Headers.CacheControl!.Private.ShouldBeTrue();
        using var again = new HttpRequestMessage(HttpMethod.Get, $"iiif/3/{image}/0,0,256,256/256,/0/default.jpg");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await http.SendAsync(again);
        second.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        using var other = await http.GetAsync($"iiif/3/{image}/0,0,256,256/128,/0/default.jpg");
        other.Headers.ETag.ShouldNotBe(first.Headers.ETag);
    }

    [Fact]
    public async Task Access_PrivateImageIsInvisible_PublicImageIsOpenToAll()
    {
        var outsider = await server.CreateUserAsync();
        var secret = await ImageFiles.UploadAsync(server, await server.CreateProjectAsync(), ImageFiles.SignedCt);
        var open = await ImageFiles.UploadAsync(server, await server.CreateProjectAsync(visibility: Visibility.Public), ImageFiles.SignedCt);
        using var anonymous = server.Http();
        using var stranger = server.Http(outsider);
        (await anonymous.GetAsync($"iiif/3/{secret}/info.json")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"iiif/3/{secret}/full/max/0/default.jpg")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await anonymous.GetAsync($"dzi/{secret}.dzi")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await anonymous.GetAsync($"iiif/3/{Guid.NewGuid()}/info.json")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var publicTile = await anonymous.GetAsync($"iiif/3/{open}/full/128,/0/default.jpg");
        publicTile.StatusCode.ShouldBe(HttpStatusCode.OK);
        publicTile.Headers.CacheControl!.Public.ShouldBeTrue();
    }

    [Fact]
    public async Task DicomSeries_IsOneStackImage_InInstanceNumberOrder_AndPrivateToOutsiders()
    {
        var project = await server.CreateProjectAsync();
        var uids = new List<string>();
        using (var client = new Tessera.Client.TesseraClient(server.Admin()))
        {
            // Imported in reverse name order: the stack's order comes from the instances, not from arrival.
            foreach (var file in Directory.GetFiles(TestCorpus.File("dcm4che/testdata-series")).OrderDescending())
            {
                await using var content = File.OpenRead(file);
                uids.Add((await client.ImportFileAsync(project, Path.GetFileName(file), content)).Files[0].SopInstanceUid!);
            }
        }
        List<(int? Number, Guid File, Guid Series)> instances;
        await using (var scope = server.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Tessera.Archive.Data.ArchiveDbContext>();
            instances = (await db.DicomInstances.Where(i => uids.Contains(i.SopInstanceUid)).Select(i => new { i.InstanceNumber, i.FileId, i.SeriesId }).ToListAsync())
                .Select(i => (i.InstanceNumber, i.FileId, i.SeriesId)).ToList();
        }
        instances.Count.ShouldBe(16);
        instances.Select(i => i.Number).Distinct().Count().ShouldBe(16, "instance numbers tell the order");
        var series = instances.Select(i => i.Series).Distinct().ShouldHaveSingleItem();
        using var http = server.Admin();
        var info = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{series}/info.json")).RootElement;
        info.GetProperty("tessera").GetProperty("sizeZ").GetInt32().ShouldBe(16);
        info.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("DICOM series");
        info.GetProperty("tessera").GetProperty("windowed").GetBoolean().ShouldBeTrue();
        var ordered = instances.OrderBy(i => i.Number).ToList();
        foreach (var z in (int[])[0, 7, 15])
        {
            var plane = await http.GetByteArrayAsync($"iiif/3/{series}/full/max/0/default.png?z={z}");
            var alone = await http.GetByteArrayAsync($"iiif/3/{ordered[z].File}/full/max/0/default.png");
            plane.ShouldBe(alone, $"plane {z} is instance number {ordered[z].Number}");
        }
        (await http.GetAsync($"iiif/3/{series}/full/max/0/default.png?z=16")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        using var stranger = server.Http(await server.CreateUserAsync());
        (await stranger.GetAsync($"iiif/3/{series}/info.json")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Dicom_WindowAndFrameParameters_ChangeTheRendering()
    {
        var project = await server.CreateProjectAsync();
        var ct = await ImageFiles.UploadAsync(server, project, ImageFiles.SignedCt);
        var mr = await ImageFiles.UploadAsync(server, project, ImageFiles.MultiFrame);
        using var http = server.Admin();
        var info = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{ct}/info.json")).RootElement.GetProperty("tessera");
        info.GetProperty("windowed").GetBoolean().ShouldBeTrue();
        info.GetProperty("window").GetProperty("center").GetDouble().ShouldBe(-600);
        var lung = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{ct}/full/max/0/default.png"));
        var bone = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{ct}/full/max/0/default.png?window=400,1800"));
        lung.Layout.SamplesPerPixel.ShouldBe(1);
        lung.Data.ShouldNotBe(bone.Data);
        JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{mr}/info.json")).RootElement.GetProperty("tessera").GetProperty("sizeZ").GetInt32().ShouldBe(10);
        var first = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{mr}/full/max/0/default.png?z=0"));
        var last = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{mr}/full/max/0/default.png?z=9"));
        first.Data.ShouldNotBe(last.Data);
        (await http.GetAsync($"iiif/3/{mr}/full/max/0/default.png?z=10")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetAsync($"iiif/3/{ct}/full/max/0/default.png?window=abc")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Nifti_SlicedAcrossEachAxis()
    {
        var project = await server.CreateProjectAsync();
        var volume = await ImageFiles.UploadAsync(server, project, "libvips/avg152T1_LR_nifti.nii.gz");
        using var http = server.Admin();
        var axial = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{volume}/info.json")).RootElement;
        (axial.GetProperty("width").GetInt32(), axial.GetProperty("height").GetInt32()).ShouldBe((91, 109));
        axial.GetProperty("tessera").GetProperty("sizeZ").GetInt32().ShouldBe(91);
        axial.GetProperty("tessera").GetProperty("format").GetString().ShouldBe("NIfTI-1");
        var sagittal = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{volume}/info.json?axis=sagittal")).RootElement;
        (sagittal.GetProperty("width").GetInt32(), sagittal.GetProperty("height").GetInt32()).ShouldBe((109, 91));
        var slice = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{volume}/full/max/0/default.png?axis=x&z=45"));
        (slice.Width, slice.Height).ShouldBe((109, 91));
        slice.Data.Distinct().Count().ShouldBeGreaterThan(50);
        (await http.GetAsync($"iiif/3/{volume}/info.json?axis=w")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task OmeTiff_ChannelsAndPlanes_AreRenderingParameters()
    {
        var project = await server.CreateProjectAsync();
        var ome = await ImageFiles.UploadAsync(server, project, "libvips/multi-channel-z-series.ome.tif");
        using var http = server.Admin();
        var info = JsonDocument.Parse(await http.GetStringAsync($"iiif/3/{ome}/info.json")).RootElement.GetProperty("tessera");
        info.GetProperty("channels").GetArrayLength().ShouldBe(3);
        info.GetProperty("sizeZ").GetInt32().ShouldBe(5);
        var red = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{ome}/full/max/0/default.png?channels=0&z=2"));
        var green = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{ome}/full/max/0/default.png?channels=1&z=2"));
        red.Data.ShouldNotBe(green.Data);
        (await http.GetAsync($"iiif/3/{ome}/full/max/0/default.png?channels=0,7")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var bright = PngDecoder.Decode(await http.GetStreamAsync($"iiif/3/{ome}/full/max/0/default.png?channels=0&z=2&contrast=0:64,0:255,0:255"));
        bright.Data.Sum(v => (long)v).ShouldBeGreaterThan(red.Data.Sum(v => (long)v) * 2, "a white point of 64 brightens channel 0");
        foreach (var bad in (string[])["0:64", "0:64,0:255,0:300", "9:9,0:255,0:255", "a:b,0:255,0:255"])
        {
            using var refused = await http.GetAsync($"iiif/3/{ome}/full/max/0/default.png?contrast={bad}");
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest, bad);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("contrast");
        }
        (await http.GetAsync($"iiif/3/{await ImageFiles.UploadAsync(server, project, ImageFiles.Png)}/full/max/0/default.png?contrast=0:9")).StatusCode
            .ShouldBe(HttpStatusCode.BadRequest, "no channels to set the contrast of");
    }

    [Fact]
    public async Task NotAnImage_Unsupported_MalformedImage_Unprocessable()
    {
        var project = await server.CreateProjectAsync();
        var text = await ImageFiles.UploadBytesAsync(server, project, "notes.txt", "just some notes"u8.ToArray());
        var broken = File.ReadAllBytes(TestCorpus.File(ImageFiles.SignedCt))[..4000];
        var truncated = await ImageFiles.UploadBytesAsync(server, project, "cut.dcm", broken);
        using var http = server.Admin();
        using var unsupported = await http.GetAsync($"iiif/3/{text}/info.json");
        unsupported.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
        using var malformed = await http.GetAsync($"iiif/3/{truncated}/full/max/0/default.jpg");
        ((int)malformed.StatusCode).ShouldBe(422, await malformed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FileListing_ImagesLinkToTheirIiifAndDeepZoom()
    {
        var project = await server.CreateProjectAsync();
        var slide = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        await ImageFiles.UploadBytesAsync(server, project, "notes.txt", "text"u8.ToArray());
        using var http = server.Admin();
        var page = JsonDocument.Parse(await http.GetStringAsync($"api/projects/{project}/resources/images/files")).RootElement.GetProperty("items");
        var files = page.EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!);
        files["CMU-1-Small-Region.svs"].GetProperty("iiif").GetString().ShouldBe($"/iiif/3/{slide}");
        files["CMU-1-Small-Region.svs"].GetProperty("dzi").GetString().ShouldBe($"/dzi/{slide}.dzi");
        (files["notes.txt"].TryGetProperty("iiif", out var none) ? none.ValueKind : JsonValueKind.Null).ShouldBe(JsonValueKind.Null, "a text file has no IIIF link");
        (await http.GetAsync(files["CMU-1-Small-Region.svs"].GetProperty("iiif").GetString()!.TrimStart('/') + "/info.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task BaseUri_RedirectsToInfoJson()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Png);
        using var http = server.Http("admin", TestServer.AdminPassword, followRedirects: false);
        using var response = await http.GetAsync($"iiif/3/{image}");
        ((int)response.StatusCode).ShouldBe(303);
        response.Headers.Location!.ToString().ShouldEndWith($"/iiif/3/{image}/info.json");
    }
}
