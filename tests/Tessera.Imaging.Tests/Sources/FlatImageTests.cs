using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Pyramids;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tests.Sources;

/// <summary>
/// Large pictures stored at one resolution: a flat TIFF read strip by strip, its reduced copy for coarse views,
/// the size of PNG and JPEG from their headers, and libvips' pyramid build with its progress and failures.
/// </summary>
public sealed class FlatImageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-flat-test-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static PixelFrame Png(string path)
    {
        using var stream = File.OpenRead(path);
        return PngDecoder.Decode(stream);
    }

    private string Crop(string source, int x, int y, int width, int height)
    {
        var path = Path.Combine(_work, $"crop-{x}-{y}-{width}-{height}.png");
        VipsTool.Run("crop", source, path, $"{x}", $"{y}", $"{width}", $"{height}");
        return path;
    }

    [Fact]
    public void FlatTiff_IsReadByStrips_RegionsAcrossStripsAndTheShortLastStripAreExact()
    {
        var tiff = VipsTool.Picture(_work, "flat.tif", 1500, 1003);
        using var source = TiffSource.Open(tiff);
        var level = source.Description.Levels.ShouldHaveSingleItem();
        (level.Width, level.Height).ShouldBe((1500, 1003));
        level.TileWidth.ShouldBe(1500);
        level.TileHeight.ShouldBeLessThan(1003, "libvips writes strips of a few rows");
        foreach (var (x, y, w, h) in new[] { (100, 0, 300, 200), (700, 1003 - level.TileHeight - 10, 256, level.TileHeight + 10), (0, 900, 1500, 103) })
        {
            var region = source.Read(0, new PixelRect(x, y, w, h), default, RenderOptions.Default);
            region.Pixels.ShouldBe(Png(Crop(tiff, x, y, w, h)).Data, $"region {x},{y} {w}x{h}");
        }
    }

    [Fact]
    public void LargeFlatTiff_HasAReducedCopy_AsLibvipsShrinksIt_AndRefusesHugeFullResolutionRegions()
    {
        var tiff = VipsTool.Picture(_work, "large.tif", 8400, 2000, "compression=jpeg", "Q=90");
        using var source = new ReducedSource(TiffSource.Open(tiff));
        var image = source.Description;
        image.Levels.Count.ShouldBe(2);
        image.Levels[1].ShouldBe(new ImageLevel(2100, 500, 2100, 500, 4));

        var preview = source.Read(1, new PixelRect(0, 0, 2100, 500), default, RenderOptions.Default);
        var shrunk = Path.Combine(_work, "shrunk.png");
        VipsTool.Run("shrink", tiff, shrunk, "4", "4");
        var reference = Png(shrunk);
        (reference.Width, reference.Height).ShouldBe((2100, 500));
        preview.Pixels.Zip(reference.Data, (a, b) => Math.Abs(a - b)).Max().ShouldBeLessThanOrEqualTo(1, "a 4 x 4 box average, rounded");

        var full = source.Read(0, new PixelRect(4000, 1000, 300, 300), default, RenderOptions.Default);
        full.Pixels.ShouldBe(Png(Crop(tiff, 4000, 1000, 300, 300)).Data);
        Should.Throw<ImageException>(() => source.Read(0, new PixelRect(0, 0, 8400, 2000), default, RenderOptions.Default))
            .Kind.ShouldBe(ImageErrorKind.NeedsPyramid);
    }

    [Fact]
    public void LargePng_IsReadBandByBand_InAnyOrder_WithAReducedCopy()
    {
        var png = VipsTool.Picture(_work, "wide.png", 9000, 1200);
        using var source = new ReducedSource(new PngStreamSource(() => File.OpenRead(png)));
        source.Description.Levels[0].ShouldBe(new ImageLevel(9000, 1200, 9000, 256, 1));
        source.Description.Levels[1].ShouldBe(new ImageLevel(2250, 300, 2250, 300, 4));
        // Below the last row read (continues), then above it (starts again from the top).
        foreach (var (x, y, w, h) in new[] { (100, 300, 500, 400), (8000, 900, 1000, 300), (0, 0, 256, 256) })
        {
            var region = source.Read(0, new PixelRect(x, y, w, h), default, RenderOptions.Default);
            region.Pixels.ShouldBe(Png(Crop(png, x, y, w, h)).Data, $"region {x},{y} {w}x{h}");
        }
        var shrunk = Path.Combine(_work, "shrunk.png");
        VipsTool.Run("shrink", png, shrunk, "4", "4");
        var preview = source.Read(1, new PixelRect(0, 0, 2250, 300), default, RenderOptions.Default);
        preview.Pixels.Zip(Png(shrunk).Data, (a, b) => Math.Abs(a - b)).Max().ShouldBeLessThanOrEqualTo(1);
    }

    [Fact]
    public void LargePng_Truncated_FailsOnTheRowsItLacks_EveryTime()
    {
        var whole = File.ReadAllBytes(VipsTool.Picture(_work, "whole.png", 3000, 2000));
        var cut = whole[..(whole.Length / 2)];
        using var source = new PngStreamSource(() => new MemoryStream(cut));
        source.Read(0, new PixelRect(0, 0, 100, 10), default, RenderOptions.Default).Width.ShouldBe(100);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            Should.Throw<ImageException>(() => source.Read(0, new PixelRect(0, 1900, 100, 100), default, RenderOptions.Default))
                .Kind.ShouldBe(ImageErrorKind.Malformed);
        }
    }

    [Fact]
    public void LargeJpeg_IsShownFromAReducedDecode_FullResolutionWaitsForThePyramid()
    {
        var path = VipsTool.Picture(_work, "big.jpg", 9000, 4000);
        var bytes = File.ReadAllBytes(path);
        using var source = JpegPreviewSource.Open(bytes, 9000, 4000, 64L << 20);
        source.Description.Levels[1].ShouldBe(new ImageLevel(4500, 2000, 4500, 2000, 2), "half size is within the preview's 16 MP");
        var preview = source.Read(1, new PixelRect(0, 0, 4500, 2000), default, RenderOptions.Default);
        var shrunk = Path.Combine(_work, "big-shrunk.png");
        VipsTool.Run("shrink", path, shrunk, "2", "2");
        MeanDifference(preview.Pixels, Png(shrunk).Data).ShouldBeLessThan(3, "a scaled IDCT against a box average of the full decode");
        Should.Throw<ImageException>(() => JpegPreviewSource.Open(bytes, 200000, 100000, 64L << 20)).Kind.ShouldBe(ImageErrorKind.NeedsPyramid);
        Should.Throw<ImageException>(() => source.Read(0, new PixelRect(0, 0, 256, 256), default, RenderOptions.Default))
            .Kind.ShouldBe(ImageErrorKind.NeedsPyramid);
    }

    private static double MeanDifference(byte[] a, byte[] b)
    {
        a.Length.ShouldBe(b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
    }

    [Theory]
    [InlineData("iiif-validator/67352ccc-d1b0-11e1-89ae-279075081939.png")]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.png")]
    public void RasterHeader_GivesThePngSizeItsDecoderFinds(string file)
    {
        var bytes = File.ReadAllBytes(TestCorpus.File(file));
        using var stream = new MemoryStream(bytes);
        var decoded = PngDecoder.Decode(stream);
        RasterHeader.Size(bytes.AsSpan(0, 64)).ShouldBe((decoded.Width, decoded.Height));
    }

    [Fact]
    public void RasterHeader_WalksJpegSegmentsToTheFrame_AndGivesNullForOtherOrShortData()
    {
        var jpeg = File.ReadAllBytes(VipsTool.Picture(_work, "p.jpg", 640, 480));
        RasterHeader.Size(jpeg).ShouldBe((640, 480));
        // A 30 kB APP1 (as a camera's Exif block) and fill bytes before the frame header are walked over.
        byte[] app1 = [0xFF, 0xFF, 0xE1, 30000 >> 8, 30000 & 0xFF, .. new byte[29998]];
        RasterHeader.Size([.. jpeg.AsSpan(0, 2), .. app1, .. jpeg.AsSpan(2)]).ShouldBe((640, 480));
        RasterHeader.Size(jpeg.AsSpan(0, 10)).ShouldBeNull();
        RasterHeader.Size("GIF89a....................."u8).ShouldBeNull();
    }

    [Fact]
    public async Task VipsPyramid_BuildsATiledJpegPyramid_ReportingRisingPercents()
    {
        var flat = VipsTool.Picture(_work, "flat.tif", 3000, 2500);
        var output = Path.Combine(_work, "pyramid.tif");
        var seen = new List<int>();
        await VipsPyramid.BuildAsync("vips", flat, output, 85, new Collect(seen), CancellationToken.None);
        seen.ShouldNotBeEmpty();
        seen.ShouldBe(seen.Order().ToList(), "percents only rise");
        seen.ShouldAllBe(p => p >= 0 && p <= 99, "100 is said by whoever stores the result");
        using var pyramid = TiffSource.Open(output);
        pyramid.Description.Levels.Count.ShouldBeGreaterThanOrEqualTo(4);
        pyramid.Description.Levels[0].TileWidth.ShouldBe(VipsPyramid.TileSize);
        pyramid.Description.StoredTiles.ShouldBeTrue();
    }

    [Fact]
    public async Task VipsPyramid_TruncatedInput_FailsWithLibvipsReason()
    {
        var whole = await File.ReadAllBytesAsync(VipsTool.Picture(_work, "whole.png", 2000, 1500));
        var truncated = Path.Combine(_work, "truncated.png");
        await File.WriteAllBytesAsync(truncated, whole[..(whole.Length / 2)]);
        var error = await Should.ThrowAsync<ImageException>(() => VipsPyramid.BuildAsync("vips", truncated, Path.Combine(_work, "out.tif"), 85, null, CancellationToken.None));
        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("libvips");
    }

    [Fact]
    public async Task VipsPyramid_WithoutTheCommand_SaysWhatToInstall()
    {
        var error = await Should.ThrowAsync<ImageException>(() => VipsPyramid.BuildAsync(
            Path.Combine(_work, "no-such-vips"), "in.png", "out.tif", 85, null, CancellationToken.None));
        error.Kind.ShouldBe(ImageErrorKind.MissingLibrary);
        error.Message.ShouldContain("libvips-tools");
    }

    private sealed class Collect(List<int> seen) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (seen)
                seen.Add(value);
        }
    }
}
