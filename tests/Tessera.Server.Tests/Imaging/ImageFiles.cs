using System.Net;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Pixels;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>Puts corpus images into a project as plain files and hands back their ids (the image ids).</summary>
internal static class ImageFiles
{
    public const string Svs = "libvips/CMU-1-Small-Region.svs";
    public const string SignedCt = "orthanc-tests/SignedCT.dcm";
    public const string MultiFrame = "pydicom-data/emri_small.dcm";
    public const string Png = "iiif-validator/67352ccc-d1b0-11e1-89ae-279075081939.png";

    public static async Task<Guid> UploadAsync(TestServer server, string project, string relative, string? owner = null)
    {
        using var client = new TesseraClient(owner is null ? server.Admin() : server.Http(owner));
        await using var content = File.OpenRead(TestCorpus.File(relative));
        var file = await client.UploadFileAsync(project, "", "images", Path.GetFileName(relative), content);
        return file.Id;
    }

    public static async Task<Guid> UploadBytesAsync(TestServer server, string project, string name, byte[] bytes)
    {
        using var client = new TesseraClient(server.Admin());
        return (await client.UploadFileAsync(project, "", "images", name, new MemoryStream(bytes))).Id;
    }

    /// <summary>An image's info.json, which must be answered with 200.</summary>
    public static async Task<System.Text.Json.JsonElement> InfoAsync(HttpClient http, Guid id)
    {
        using var response = await http.GetAsync($"iiif/3/{id}/info.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>The mean absolute difference of two decoded images of the same geometry.</summary>
    public static double MeanDifference(PixelFrame a, PixelFrame b)
    {
        a.Data.Length.ShouldBe(b.Data.Length);
        return a.Data.Zip(b.Data, (x, y) => Math.Abs(x - y)).Average();
    }

    /// <summary>
    /// Asks the image for each tile of libvips' reference IIIF tile set of CMU-1 (the request is the tile's path in
    /// the set), checks each answers a JPEG of the reference's size, and returns each tile's mean difference.
    /// </summary>
    public static async Task<List<(string Request, double Mean)>> CompareWithReferenceIiifAsync(HttpClient http, Guid image, int take = int.MaxValue)
    {
        var root = TestCorpus.File("derived/cmu1-small-region-iiif3");
        var results = new List<(string, double)>();
        foreach (var path in Directory.GetFiles(root, "default.jpg", SearchOption.AllDirectories).Order().Take(take))
        {
            var request = Path.GetRelativePath(root, path).Replace('\\', '/');
            using var response = await http.GetAsync($"iiif/3/{image}/{request}");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, request);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("image/jpeg", request);
            var ours = JpegDecoder.DecodeFile(await response.Content.ReadAsByteArrayAsync());
            var theirs = JpegDecoder.DecodeFile(File.ReadAllBytes(path));
            (ours.Width, ours.Height).ShouldBe((theirs.Width, theirs.Height), request);
            results.Add((request, MeanDifference(ours, theirs)));
        }
        results.Count.ShouldBeGreaterThan(0, "the reference tile set is empty");
        return results;
    }
}
