using System.Net;
using Shouldly;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>
/// Retrieve Rendered and thumbnails (PS3.18 10.4.1.1.3-4) at study, series, instance and frame level: PNG renderings
/// compared pixel for pixel with the display pipeline run on our decoder's output, window, viewport (region, flips,
/// aspect ratio), quality, MONOCHROME1, multi-frame answers, representative instances, and the refusals.
/// </summary>
public sealed class DicomWebRenderedTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Ct = "dcm4che/CT-JPEGLosslessSV1.dcm";
    private const string Monochrome1 = "pydicom-data/RG3_J2KI.dcm";
    private const string Palette = "dcm4che/US-PAL-8-10x-echo";
    private const string Series = "dcm4che/testdata-series";

    [Fact]
    public async Task Rendered_Instance_PngIsTheDisplayPipelinesOutput_WindowViewportAndQualityApplied()
    {
        var (http, url, file) = await StoreAsync(Ct);
        var pixels = DicomPixelData.Open(file);
        var decoded = pixels.DecodeFrame(0);
        var full = FrameRenderer.Render(decoded, pixels.Display(0));

        (await PngAsync(http, url + "/rendered")).ShouldBe(full.Pixels);
        var window = new Window(40, 400, WindowFunction.Linear);
        (await PngAsync(http, url + "/rendered?window=40,400,linear")).ShouldBe(FrameRenderer.Render(decoded, pixels.Display(0), new RenderOptions { Window = window }).Pixels);
        var sigmoid = FrameRenderer.Render(decoded, pixels.Display(0), new RenderOptions { Window = window with { Function = WindowFunction.Sigmoid } });
        (await PngAsync(http, url + "/rendered?window=40,400,sigmoid")).ShouldBe(sigmoid.Pixels);
        // The viewport: fitted with the aspect ratio kept; a region, flipped by a negative width.
        (await PngAsync(http, url + "/rendered?viewport=128,128")).ShouldBe(Resampler.Resize(full, 128, 128).Pixels);
        (await PngSizeAsync(http, url + "/rendered?viewport=300,100")).ShouldBe((100, 100));
        var region = RasterOps.Rotate(RasterSource.Crop(full, new PixelRect(100, 50, 200, 100)), 0, mirror: true);
        (await PngAsync(http, url + "/rendered?viewport=100,50,300,50,-200,100")).ShouldBe(Resampler.Resize(region, 100, 50).Pixels);

        // JPEG by default (no Accept, or */*), its quality as asked.
        var jpeg = await http.GetAsync(url + "/rendered").ShouldHaveStatus(HttpStatusCode.OK);
        jpeg.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        var bytes = await jpeg.Content.ReadAsByteArrayAsync();
        RasterHeader.Size(bytes).ShouldBe((512, 512));
        var low = await (await http.SendAsync(Multipart.Get(url + "/rendered?quality=5", "*/*"))).Content.ReadAsByteArrayAsync();
        var high = await (await http.GetAsync(url + "/rendered?quality=98")).Content.ReadAsByteArrayAsync();
        low.Length.ShouldBeLessThan(bytes.Length);
        bytes.Length.ShouldBeLessThan(high.Length);

        // Cached like tiles: the same request again is a 304.
        var etag = jpeg.Headers.ETag!.Tag;
        var again = new HttpRequestMessage(HttpMethod.Get, url + "/rendered");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        (await http.SendAsync(again)).StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Rendered_Monochrome1_LowestValueIsWhite()
    {
        var (http, url, file) = await StoreAsync(Monochrome1);
        var pixels = DicomPixelData.Open(file);
        var decoded = pixels.DecodeFrame(0);
        var (min, max) = FrameRenderer.Range(decoded, pixels.Display(0));
        var values = Enumerable.Range(0, decoded.Layout.Pixels).Select(i => StoredValues.Read(decoded, i)).ToList();
        var (darkest, brightest) = (values.IndexOf(values.Min()), values.IndexOf(values.Max()));

        var center = ((min + max) / 2).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var width = (max - min + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var rendered = await PngAsync(http, $"{url}/rendered?window={center},{width}");

        rendered[darkest].ShouldBe((byte)255);
        rendered[brightest].ShouldBe((byte)0);
    }

    [Fact]
    public async Task Rendered_MultiFrame_FirstFrameOrEveryFrameAsParts_FramesByNumber()
    {
        var (http, url, file) = await StoreAsync(Palette);
        var pixels = DicomPixelData.Open(file);

        var single = await http.GetAsync(url + "/rendered").ShouldHaveStatus(HttpStatusCode.OK);
        single.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");
        var all = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url + "/rendered", "multipart/related; type=\"image/jpeg\"")).ShouldHaveStatus(HttpStatusCode.OK));
        all.Count.ShouldBe(10);
        all.ShouldAllBe(p => p.ContentType == "image/jpeg");

        var second = FrameRenderer.Render(pixels.DecodeFrame(1), pixels.Display(1));
        (await PngAsync(http, url + "/frames/2/rendered")).ShouldBe(second.Pixels);
        var two = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url + "/frames/2,3/rendered", "multipart/related; type=\"image/png\"")).ShouldHaveStatus(HttpStatusCode.OK));
        PngDecoder.Decode(new MemoryStream(two[0].Bytes)).Data.ShouldBe(second.Pixels);
        two.Count.ShouldBe(2);
        // Several frames in one image: only multipart/related can carry them.
        var refused = await (await http.SendAsync(Multipart.Get(url + "/frames/2,3/rendered", "image/jpeg")).ShouldHaveStatus(HttpStatusCode.NotAcceptable)).ReadProblem();
        refused.GetProperty("detail").GetString()!.ShouldContain("multipart/related");
        await http.GetAsync(url + "/frames/11/rendered").ShouldHaveStatus(HttpStatusCode.NotFound);
        // A frame's thumbnail: that frame, fitted into 256.
        (await PngSizeAsync(http, url + "/frames/3/thumbnail")).ShouldBe((256, 183));
        // Every frame blown up to 4096 × 4096 is more rendering than one request may ask for (an attack once took minutes of CPU).
        var budget = await (await http.SendAsync(Multipart.Get(url + "/rendered?viewport=4096,4096", "multipart/related; type=\"image/png\""))
            .ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
        budget.GetProperty("detail").GetString()!.ShouldContain("Imaging:MaxDecodedPixels");
    }

    [Fact]
    public async Task Thumbnail_StudySeriesInstance_RepresentativeInstanceFittedInto256()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var http = server.Http(owner);
        var files = Directory.GetFiles(TestCorpus.File(Series)).Order(StringComparer.Ordinal).ToList();
        await http.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom(files.Select(File.ReadAllBytes))).ShouldHaveStatus(HttpStatusCode.OK);
        var headers = files.Select(f => DicomReader.ReadFile(f)).OrderBy(f => f.Dataset.GetInteger(DicomTags.InstanceNumber)).ToList();
        var middle = headers[headers.Count / 2];
        var study = $"dicom-web/projects/{project}/studies/{middle.Dataset.GetString(DicomTags.StudyInstanceUid)}";
        var series = $"{study}/series/{middle.Dataset.GetString(DicomTags.SeriesInstanceUid)}";
        var instance = $"{series}/instances/{middle.SopInstanceUid}";

        var expected = await PngAsync(http, instance + "/rendered");
        (await PngAsync(http, series + "/thumbnail")).ShouldBe(expected);
        (await PngAsync(http, study + "/thumbnail")).ShouldBe(expected);
        (await PngAsync(http, study + "/rendered")).ShouldBe(expected);
        (await PngSizeAsync(http, series + "/thumbnail?viewport=64,64")).ShouldBe((64, 64));
        var jpeg = await http.GetAsync(study + "/thumbnail").ShouldHaveStatus(HttpStatusCode.OK);
        jpeg.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg");

        // A larger image's thumbnail is fitted into 256 x 256; others than members see nothing.
        var (ctHttp, ct, _) = await StoreAsync(Ct);
        (await PngSizeAsync(ctHttp, ct + "/thumbnail")).ShouldBe((256, 256));
        var outsider = server.Http(await server.CreateUserAsync());
        await outsider.GetAsync(study + "/thumbnail").ShouldHaveStatus(HttpStatusCode.NotFound);
        // Renderings of a private project are reads like any other: audited.
        await Poll.UntilAsync(
            async () => await (await server.Admin().GetAsync($"api/audit?project={project}")).ReadJson<PageDto<AuditEntryDto>>(),
            audit => audit.Items.Any(e => e.Action == "GET /dicom-web/projects/{p}/studies/{study}/thumbnail" && e.User == owner && e.Status == 200),
            "the thumbnail's audit entry");
        await server.Http().GetAsync($"dicom-web/studies/{middle.Dataset.GetString(DicomTags.StudyInstanceUid)}/rendered").ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Rendered_BadParametersAndMediaTypes_AreRefusedWithTheReason()
    {
        var (http, url, _) = await StoreAsync(Ct);
        foreach (var query in new[] { "window=abc", "window=40", "window=40,0", "window=40,400,cubic", "viewport=0,10", "viewport=5000,10", "viewport=10,10,1,1,0,5", "quality=0", "quality=101" })
        {
            var problem = await (await http.GetAsync($"{url}/rendered?{query}").ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
            problem.GetProperty("detail").GetString().ShouldNotBeNullOrEmpty(query);
        }
        await http.GetAsync($"{url}/rendered?viewport=10,10,600,600,10,10").ShouldHaveStatus(HttpStatusCode.BadRequest);
        await http.SendAsync(Multipart.Get(url + "/rendered", "image/gif")).ShouldHaveStatus(HttpStatusCode.NotAcceptable);
        await http.SendAsync(Multipart.Get(url + "/rendered", "image/png; q=0, image/gif")).ShouldHaveStatus(HttpStatusCode.NotAcceptable);
        // Unknown parameters and annotation are ignored, as PS3.18 allows.
        await http.GetAsync($"{url}/rendered?annotation=patient&charset=utf-8&foo=bar").ShouldHaveStatus(HttpStatusCode.OK);

        var (srHttp, sr, _) = await StoreAsync("dcm4che/report_dfl");
        await srHttp.GetAsync(sr + "/rendered").ShouldHaveStatus(HttpStatusCode.NotAcceptable);
    }

    private async Task<(HttpClient Http, string Url, DicomFile File)> StoreAsync(string relative)
    {
        var path = TestCorpus.File(relative);
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var http = server.Http(owner);
        await http.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom([await File.ReadAllBytesAsync(path)])).ShouldHaveStatus(HttpStatusCode.OK);
        var file = DicomReader.ReadFile(path);
        var d = file.Dataset;
        return (http, $"dicom-web/projects/{project}/studies/{d.GetString(DicomTags.StudyInstanceUid)}/series/{d.GetString(DicomTags.SeriesInstanceUid)}/instances/{d.GetString(DicomTags.SopInstanceUid)}", file);
    }

    private static async Task<byte[]> PngAsync(HttpClient http, string url)
    {
        var response = await http.SendAsync(Multipart.Get(url, "image/png")).ShouldHaveStatus(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        return PngDecoder.Decode(await response.Content.ReadAsStreamAsync()).Data;
    }

    private static async Task<(int, int)> PngSizeAsync(HttpClient http, string url)
    {
        var response = await http.SendAsync(Multipart.Get(url, "image/png")).ShouldHaveStatus(HttpStatusCode.OK);
        var image = PngDecoder.Decode(await response.Content.ReadAsStreamAsync());
        return (image.Width, image.Height);
    }
}
