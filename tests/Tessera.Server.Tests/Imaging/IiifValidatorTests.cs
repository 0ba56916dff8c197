using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imaging;

/// <summary>
/// The checks of the IIIF image-validator (IIIF/image-validator, API 3.0, levels 0, 1 and 2), re-stated in C#:
/// the validator's 1000 x 1000 test image is a 10 x 10 grid of flat colour squares, and each check asks for a region,
/// size, rotation, quality or format and compares the most frequent colour of a square with the expected one
/// (within 5 levels). Random choices are seeded, so a failure repeats.
/// </summary>
[Collection(Tessera.Server.Tests.Imaging.ImageHeavyTests.Name)]
public sealed class IiifValidatorTests(TestServer server) : IClassFixture<TestServer>
{
    private readonly Random _random = new(3);

    private async Task<(HttpClient Http, string Base)> ImageAsync()
    {
        var project = await server.CreateProjectAsync(visibility: Tessera.Client.Contracts.Visibility.Public);
        var id = await ImageFiles.UploadAsync(server, project, ImageFiles.Png);
        var http = server.Http();
        return (http, $"{server.BaseAddress.ToString().TrimEnd('/')}/iiif/3/{id}");
    }

    /// <summary>The expected colour of square (column, row), read from the test image's own centre pixels.</summary>
    private static (int R, int G, int B) Truth(int x, int y)
    {
        using var stream = File.OpenRead(TestCorpus.File(ImageFiles.Png));
        var png = s_png ??= PngDecoder.Decode(stream);
        var i = ((y * 100 + 50) * 1000 + x * 100 + 50) * 3;
        return (png.Data[i], png.Data[i + 1], png.Data[i + 2]);
    }

    private static PixelFrame? s_png;

    private static PixelFrame Decode(byte[] bytes) =>
        bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50]) ? PngDecoder.Decode(new MemoryStream(bytes)) : JpegDecoder.DecodeFile(bytes);

    /// <summary>The validator's square check: the mode (most frequent exact colour) of a crop, each channel within 5.</summary>
    private static bool Square(PixelFrame image, int x, int y, (int Left, int Top, int Right, int Bottom) crop)
    {
        image.Layout.SamplesPerPixel.ShouldBe(3, "colour checks need RGB");
        var counts = new Dictionary<int, int>();
        for (var py = crop.Top; py < Math.Min(crop.Bottom, image.Height); py++)
        {
            for (var px = crop.Left; px < Math.Min(crop.Right, image.Width); px++)
            {
                var i = (py * image.Width + px) * 3;
                var key = image.Data[i] << 16 | image.Data[i + 1] << 8 | image.Data[i + 2];
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }
        if (counts.Count == 0)
            return false;
        var mode = counts.OrderByDescending(c => c.Value).ThenByDescending(c => c.Key).First().Key;
        var truth = Truth(x, y);
        return Math.Abs((mode >> 16) - truth.R) < 6 && Math.Abs((mode >> 8 & 255) - truth.G) < 6 && Math.Abs((mode & 255) - truth.B) < 6;
    }

    private static bool Whole(PixelFrame image, int x, int y) => Square(image, x, y, (0, 0, image.Width, image.Height));

    private static async Task<PixelFrame> GetImageAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, url);
        return Decode(await response.Content.ReadAsByteArrayAsync());
    }

    private static async Task<int> StatusAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(url);
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task Level0_InfoJsonAndFullImage()
    {
        var (http, b) = await ImageAsync();
        using var response = await http.GetAsync($"{b}/info.json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        var info = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        info.GetProperty("width").ValueKind.ShouldBe(JsonValueKind.Number);
        info.GetProperty("width").GetInt32().ShouldBe(1000);
        info.GetProperty("id").GetString().ShouldBe(b);
        info.GetProperty("@context").GetString().ShouldBe("http://iiif.io/api/image/3/context.json");
        info.GetProperty("protocol").GetString().ShouldBe("http://iiif.io/api/image");
        info.GetProperty("profile").GetString().ShouldBeOneOf("level0", "level1", "level2");
        info.GetProperty("type").GetString().ShouldBe("ImageService3");
        foreach (var size in info.GetProperty("sizes").EnumerateArray())
            size.GetProperty("width").TryGetInt32(out _).ShouldBeTrue();
        foreach (var tile in info.GetProperty("tiles").EnumerateArray())
        {
            tile.GetProperty("width").TryGetInt32(out _).ShouldBeTrue();
            tile.GetProperty("scaleFactors").ValueKind.ShouldBe(JsonValueKind.Array);
        }
        foreach (var absent in new[] { "license", "attribution", "logo" })
            info.TryGetProperty(absent, out _).ShouldBeFalse(absent);
        foreach (var list in new[] { "extraQualities", "extraFormats", "extraFeatures" })
            info.GetProperty(list).ValueKind.ShouldBe(JsonValueKind.Array);

        var full = await GetImageAsync(http, $"{b}/full/max/0/default.jpg");
        (await http.GetByteArrayAsync($"{b}/full/max/0/default.jpg")).AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]).ShouldBeTrue();
        for (var n = 0; n < 5; n++)
        {
            var (x, y) = (_random.Next(10), _random.Next(10));
            Square(full, x, y, (x * 100 + 13, y * 100 + 13, x * 100 + 87, y * 100 + 87)).ShouldBeTrue($"square {x},{y}");
        }
        (await StatusAsync(http, $"{b}/full/full/0/default.jpg")).ShouldNotBe(200, "3.0 replaced size full with max");
    }

    [Fact]
    public async Task Level1_RedirectCorsJsonLdAndIdentifiers()
    {
        var (http, b) = await ImageAsync();
        using (var plain = server.Http(followRedirects: false))
        using (var redirect = await plain.GetAsync(b))
        {
            ((int)redirect.StatusCode).ShouldBe(303);
            new Uri(new Uri(b), redirect.Headers.Location!).ToString().ShouldBe($"{b}/info.json");
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{b}/info.json"))
        {
            request.Headers.Add("Origin", "http://iiif.io/");
            using var cors = await http.SendAsync(request);
            cors.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("*");
        }
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{b}/info.json"))
        {
            request.Headers.Add("Accept", "application/ld+json");
            using var ld = await http.SendAsync(request);
            ld.Content.Headers.ContentType!.ToString().ShouldStartWith("application/ld+json");
        }
        var prefix = b[..b.LastIndexOf('/')];
        (await StatusAsync(http, $"{prefix}/{Guid.NewGuid()}/full/max/0/default.jpg")).ShouldBe(404);
        (await StatusAsync(http, $"{prefix}/a/b/full/max/0/default.jpg")).ShouldBe(404);
        (await StatusAsync(http, $"{prefix}/[frob]/full/max/0/default.jpg")).ShouldBeOneOf(400, 404);
        var escaped = $"{prefix}/{b[(b.LastIndexOf('/') + 1)..].Replace("-", "%2D", StringComparison.Ordinal)}/full/max/0/default.jpg";
        (await StatusAsync(http, escaped)).ShouldBe(200);
    }

    [Theory]
    [InlineData("full/max/0/default.Q:e", new[] { 400, 415, 503 })]
    [InlineData("full/max/0/x7Zq@e.jpg", new[] { 400 })]
    [InlineData("Ab3;Zr/max/0/default.jpg", new[] { 400 })]
    [InlineData("full/9k=Tq_/0/default.jpg", new[] { 400 })]
    [InlineData("full/max/Rq4:/default.jpg", new[] { 400 })]
    [InlineData("full/1500,1500/0/default.jpg", new[] { 400 })]
    [InlineData("full/,1500/0/default.jpg", new[] { 400 })]
    [InlineData("full/1500,/0/default.jpg", new[] { 400 })]
    [InlineData("full/pct:200/0/default.jpg", new[] { 400 })]
    [InlineData("full/!2000,3000/0/default.jpg", new[] { 400 })]
    public async Task Level1_InvalidOrUpscalingRequests_AreRefused(string request, int[] statuses)
    {
        var (http, b) = await ImageAsync();
        (await StatusAsync(http, $"{b}/{request}")).ShouldBeOneOf(statuses);
    }

    [Fact]
    public async Task Level1_RegionsAndSizes()
    {
        var (http, b) = await ImageAsync();
        var matched = 0;
        for (var n = 0; n < 5; n++)
        {
            var (x, y) = (_random.Next(10), _random.Next(10));
            matched += Whole(await GetImageAsync(http, $"{b}/{x * 100 + 13},{y * 100 + 13},74,74/max/0/default.jpg"), x, y) ? 1 : 0;
        }
        matched.ShouldBeGreaterThanOrEqualTo(4, "region_pixels");
        var square = await GetImageAsync(http, $"{b}/square/max/0/default.jpg");
        square.Width.ShouldBe(square.Height);
        foreach (var form in new[] { "{0},", ",{0}" })
        {
            var s = _random.Next(450, 751);
            var image = await GetImageAsync(http, $"{b}/full/{string.Format(System.Globalization.CultureInfo.InvariantCulture, form, s)}/0/default.jpg");
            (image.Width, image.Height).ShouldBe((s, s));
            ScaledSquares(image, s, s).ShouldBeGreaterThanOrEqualTo(4, form);
        }
        var (w, h) = (_random.Next(350, 751), _random.Next(350, 751));
        var distorted = await GetImageAsync(http, $"{b}/full/{w},{h}/0/default.jpg");
        (distorted.Width, distorted.Height).ShouldBe((w, h));
        ScaledSquares(distorted, w, h).ShouldBeGreaterThanOrEqualTo(4, "size_wh");
        for (var n = 0; n < 5; n++)
        {
            var (s, x, y) = (_random.Next(35, 91), _random.Next(10), _random.Next(10));
            var image = await GetImageAsync(http, $"{b}/{x * 100},{y * 100},100,100/{s},{s}/0/default.jpg");
            (image.Width, image.Height).ShouldBe((s, s));
            Whole(image, x, y).ShouldBeTrue($"size_region {x},{y} at {s}");
        }
    }

    [Fact]
    public async Task Level2_FormatsQualitiesPercentsRotations()
    {
        var (http, b) = await ImageAsync();
        (await http.GetByteArrayAsync($"{b}/full/max/0/default.png")).AsSpan().StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]).ShouldBeTrue();
        (await GetImageAsync(http, $"{b}/full/max/0/color.jpg")).Layout.SamplesPerPixel.ShouldBe(3);
        (await GetImageAsync(http, $"{b}/full/max/0/gray.jpg")).Layout.SamplesPerPixel.ShouldBe(1);
        var bitonal = await GetImageAsync(http, $"{b}/full/max/0/bitonal.jpg");
        bitonal.Layout.SamplesPerPixel.ShouldBe(1);
        var matched = 0;
        for (var n = 0; n < 5; n++)
        {
            var (x, y) = (_random.Next(10), _random.Next(10));
            matched += Whole(await GetImageAsync(http, $"{b}/pct:{x * 10 + 1},{y * 10 + 1},9,9/max/0/default.jpg"), x, y) ? 1 : 0;
        }
        matched.ShouldBeGreaterThanOrEqualTo(4, "region_percent");
        foreach (var (rotation, a, z) in new[] { (180, (9, 9), (0, 0)), (90, (0, 9), (9, 0)), (270, (9, 0), (0, 9)) })
        {
            var image = await GetImageAsync(http, $"{b}/full/max/{rotation}/default.jpg");
            image.Width.ShouldBeInRange(999, 1001);
            Square(image, a.Item1, a.Item2, (12, 12, 76, 76)).ShouldBeTrue($"top left after {rotation}");
            Square(image, z.Item1, z.Item2, (912, 912, 976, 976)).ShouldBeTrue($"bottom right after {rotation}");
        }
        for (var n = 0; n < 4; n++)
        {
            var (x, y) = (_random.Next(10), _random.Next(10));
            var image = await GetImageAsync(http, $"{b}/{x * 100 + 13},{y * 100 + 13},76,76/max/180/default.jpg");
            image.Width.ShouldBeInRange(75, 77);
            Whole(image, x, y).ShouldBeTrue($"rot_region {x},{y}");
        }
        var (w, h) = (_random.Next(350, 751), _random.Next(350, 751));
        var fitted = await GetImageAsync(http, $"{b}/full/!{w},{h}/0/default.jpg");
        (fitted.Width, fitted.Height).ShouldBe((Math.Min(w, h), Math.Min(w, h)));
        ScaledSquares(fitted, fitted.Width, fitted.Height).ShouldBeGreaterThanOrEqualTo(3, "size_bwh");
        var pct = _random.Next(45, 76);
        var percent = await GetImageAsync(http, $"{b}/full/pct:{pct}/0/default.jpg");
        (percent.Width, percent.Height).ShouldBe((pct * 10, pct * 10));
        ScaledSquares(percent, pct * 10, pct * 10).ShouldBeGreaterThanOrEqualTo(4, "size_percent");
    }

    /// <summary>Five random squares of a scaled full image, with the validator's truncated square size and 13-pixel inset.</summary>
    private int ScaledSquares(PixelFrame image, int width, int height)
    {
        var (sw, sh) = ((int)(width / 1000.0 * 100), (int)(height / 1000.0 * 100));
        var matched = 0;
        for (var n = 0; n < 5; n++)
        {
            var (x, y) = (_random.Next(10), _random.Next(10));
            matched += Square(image, x, y, (x * sw + 13, y * sh + 13, x * sw + sw, y * sh + sh)) ? 1 : 0;
        }
        return matched;
    }
}
