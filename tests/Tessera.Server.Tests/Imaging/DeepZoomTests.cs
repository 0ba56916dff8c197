using System.Net;
using System.Xml.Linq;
using Shouldly;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>Deep Zoom over HTTP: the CMU-1 slide's descriptor and every tile against libvips' dzsave of the same slide.</summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class DeepZoomTests(TestServer server) : IClassFixture<TestServer>
{
    private static readonly XNamespace Dz = "http://schemas.microsoft.com/deepzoom/2008";

    [Fact]
    public async Task Descriptor_Slide_HasTheReferenceGeometry()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        using var http = server.Admin();
        using var response = await http.GetAsync($"dzi/{image}.dzi");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").ShouldContain("*");
        var ours = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!;
        var theirs = XDocument.Load(TestCorpus.File("derived/cmu1-small-region-dzi/cmu1.dzi")).Root!;
        foreach (var attribute in new[] { "TileSize", "Overlap" })
            ours.Attribute(attribute)!.Value.ShouldBe(theirs.Attribute(attribute)!.Value);
        var (size, reference) = (ours.Element(Dz + "Size")!, theirs.Element(Dz + "Size")!);
        size.Attribute("Width")!.Value.ShouldBe(reference.Attribute("Width")!.Value);
        size.Attribute("Height")!.Value.ShouldBe(reference.Attribute("Height")!.Value);
    }

    [Fact]
    public async Task Tiles_Slide_MatchTheReferenceTileSetAtEveryLevel()
    {
        var project = await server.CreateProjectAsync();
        var image = await ImageFiles.UploadAsync(server, project, ImageFiles.Svs);
        var root = TestCorpus.File("derived/cmu1-small-region-dzi/cmu1_files");
        using var http = server.Admin();
        var levels = Directory.GetDirectories(root).Select(d => int.Parse(Path.GetFileName(d))).OrderBy(l => l).ToList();
        levels.Count.ShouldBe(13);
        var means = new List<double>();
        foreach (var level in levels)
        {
            foreach (var path in Directory.GetFiles(Path.Combine(root, level.ToString())))
            {
                var tile = Path.GetFileNameWithoutExtension(path);
                using var response = await http.GetAsync($"dzi/{image}_files/{level}/{tile}.jpeg");
                response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{level}/{tile}");
                var ours = JpegDecoder.DecodeFile(await response.Content.ReadAsByteArrayAsync());
                var theirs = JpegDecoder.DecodeFile(File.ReadAllBytes(path));
                (ours.Width, ours.Height).ShouldBe((theirs.Width, theirs.Height), $"{level}/{tile}");
                var mean = ImageFiles.MeanDifference(ours, theirs);
                // Levels under a tile's size are a handful of pixels, most of them on the image's edge, where
                // dzsave's repeated halving of odd sizes and our one area average of the real pixels part most
                // (up to 41 levels on the 2 x 2 level): those only have to resemble each other.
                if (ours.Width < 128 && ours.Height < 128)
                {
                    mean.ShouldBeLessThan(50, $"{level}/{tile}: mean {mean:F2}");
                    continue;
                }
                means.Add(mean);
                // Measured: full-resolution tiles differ by 1.9 levels on average (two JPEG encoders), the busiest
                // reduced tile by 8.4.
                mean.ShouldBeLessThan(10, $"{level}/{tile}: mean {mean:F2}");
            }
        }
        means.Average().ShouldBeLessThan(3);
        using var missing = await http.GetAsync($"dzi/{image}_files/12/99_0.jpeg");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
