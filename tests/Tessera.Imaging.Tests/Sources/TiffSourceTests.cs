using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Display;
using Tessera.Imaging.Sources;
using Tessera.Imaging.Tiles;

namespace Tessera.Imaging.Tests.Sources;

/// <summary>libtiff sources on the corpus's pyramids: libvips' JPEG pyramid of CMU-1 and tifffile's OME-TIFF with SubIFDs.</summary>
public sealed class TiffSourceTests
{
    private const string JpegPyramid = "derived/cmu1-small-region.pyramid.jpeg.tif";
    private const string OmePyramid = "derived/cmu1-small-region-half.pyramid.ome.tif";

    [Fact]
    public void Open_JpegPyramid_ListsEveryLevel()
    {
        using var source = TiffSource.Open(TestCorpus.File(JpegPyramid));
        var image = source.Description;
        (image.Width, image.Height).ShouldBe((2220, 2967));
        image.Levels.Count.ShouldBeGreaterThan(2);
        image.Levels.Zip(image.Levels.Skip(1), (a, b) => b.Width < a.Width).ShouldAllBe(smaller => smaller);
        image.Bands.ShouldBe(3);
    }

    [Fact]
    public void StoredJpegTile_DecodesToTheSamePixelsAsTheRegion()
    {
        using var source = TiffSource.Open(TestCorpus.File(JpegPyramid));
        var level = source.Description.Levels[0];
        var tile = source.StoredJpegTile(0, 1, 2, default).ShouldNotBeNull();
        var decoded = JpegDecoder.DecodeFile(tile);
        (decoded.Width, decoded.Height).ShouldBe((level.TileWidth, level.TileHeight));
        var region = source.Read(0, new PixelRect(level.TileWidth, 2 * level.TileHeight, level.TileWidth, level.TileHeight), default, RenderOptions.Default);
        region.Pixels.ShouldBe(decoded.Data);
    }

    [Fact]
    public void PassThrough_RequestOnTheStoredGrid_SendsTheStoredBytes()
    {
        using var source = TiffSource.Open(TestCorpus.File(JpegPyramid));
        var tile = source.Description.Levels[0].TileWidth;
        var request = IiifRequest.Parse($"{tile},0,{tile},{tile}", $"{tile},", "0", "default.jpg", 2220, 2967);
        var answer = ImageRenderer.Iiif(source, request, default, RenderOptions.Default, 85);
        answer.PassedThrough.ShouldBeTrue();
        answer.Bytes.ShouldBe(source.StoredJpegTile(0, 1, 0, default));
        var scaled = IiifRequest.Parse($"0,0,{tile * 2},{tile * 2}", $"{tile},", "0", "default.jpg", 2220, 2967);
        ImageRenderer.Iiif(source, scaled, default, RenderOptions.Default, 85).PassedThrough.ShouldBeTrue("level 1 holds that tile");
        var off = IiifRequest.Parse("3,0,256,256", "256,", "0", "default.jpg", 2220, 2967);
        ImageRenderer.Iiif(source, off, default, RenderOptions.Default, 85).PassedThrough.ShouldBeFalse();
    }

    [Fact]
    public void Open_OmeTiffWithSubIfds_ReadsTheSubIfdPyramid()
    {
        using var source = TiffSource.Open(TestCorpus.File(OmePyramid));
        var image = source.Description;
        image.Format.ShouldBe("OME-TIFF");
        image.Levels.Count.ShouldBe(3);
        var pixels = source.Read(2, new PixelRect(0, 0, image.Levels[2].Width, image.Levels[2].Height), default, RenderOptions.Default);
        pixels.Pixels.Distinct().Count().ShouldBeGreaterThan(20);
    }

    [Fact]
    public void Open_MultiChannelZSeries_CompositesItsChannels()
    {
        using var source = TiffSource.Open(TestCorpus.File("libvips/multi-channel-z-series.ome.tif"));
        var image = source.Description;
        image.Format.ShouldBe("OME-TIFF");
        (image.Width, image.Height).ShouldBe((439, 167));
        image.Channels.Count.ShouldBe(3);
        image.SizeZ.ShouldBe(5);
        image.Bands.ShouldBe(3);
        var all = new PixelRect(0, 0, 439, 167);
        var composite = source.Read(0, all, new ImagePlane(2, 0), RenderOptions.Default);
        var first = source.Read(0, all, new ImagePlane(2, 0), new RenderOptions { Channels = [0] });
        var second = source.Read(0, all, new ImagePlane(2, 0), new RenderOptions { Channels = [1] });
        var none = source.Read(0, all, new ImagePlane(2, 0), new RenderOptions { Channels = [] });
        first.Pixels.ShouldNotBe(second.Pixels);
        composite.Pixels.ShouldNotBe(first.Pixels);
        none.Pixels.ShouldAllBe(v => v == 0);
        source.Read(0, all, new ImagePlane(0, 0), RenderOptions.Default).Pixels.ShouldNotBe(composite.Pixels, "another z plane");
    }

    [Fact]
    public void MultiChannel_ContrastRange_StretchesThatChannelOnly()
    {
        using var source = TiffSource.Open(TestCorpus.File("libvips/multi-channel-z-series.ome.tif"));
        var all = new PixelRect(0, 0, 439, 167);
        var plane = new ImagePlane(2, 0);
        var plain = source.Read(0, all, plane, new RenderOptions { Channels = [0] });
        RangesOf(source, all, plane, (0, 255)).Pixels.ShouldBe(plain.Pixels, "the whole range changes nothing");
        var doubled = RangesOf(source, all, plane, (0, 128));
        var compared = 0;
        for (var i = 0; i < plain.Pixels.Length; i++)
        {
            if (plain.Pixels[i] is > 4 and < 120)
            {
                ((double)doubled.Pixels[i]).ShouldBe(plain.Pixels[i] * 255.0 / 128, 3.0, $"value {i}");
                compared++;
            }
        }
        compared.ShouldBeGreaterThan(1000);
        // Another channel's range leaves channel 0 as it was.
        source.Read(0, all, plane, new RenderOptions { Channels = [0], ChannelRanges = [(0, 255), (10, 20), (30, 40)] }).Pixels.ShouldBe(plain.Pixels);
    }

    private static Tessera.Imaging.Pixels.RasterImage RangesOf(TiffSource source, PixelRect region, ImagePlane plane, (int, int) first) =>
        source.Read(0, region, plane, new RenderOptions { Channels = [0], ChannelRanges = [first, (0, 255), (0, 255)] });

    [Theory]
    [InlineData("ome-bioformats-samples/2010-06/18x24y5z5t2c8b-text.ome.tiff", 5, 5, 2)]
    [InlineData("ome-bioformats-samples/2010-06/18x24y5z1t2c8b-text.ome.tiff", 5, 1, 2)]
    public void Open_BioFormatsSamples_MapPlanesByDimensionOrder(string relative, int sizeZ, int sizeT, int channels)
    {
        using var source = TiffSource.Open(TestCorpus.File(relative));
        var image = source.Description;
        (image.SizeZ, image.SizeT, image.Channels.Count).ShouldBe((sizeZ, sizeT, channels));
        var planes = new HashSet<string>();
        for (var z = 0; z < sizeZ; z++)
        {
            for (var t = 0; t < sizeT; t++)
                planes.Add(Convert.ToHexString(source.Read(0, new PixelRect(0, 0, 18, 24), new ImagePlane(z, t), new RenderOptions { Channels = [0] }).Pixels));
        }
        // The samples write each plane's index into its pixels as text: every (z, t) plane differs.
        planes.Count.ShouldBe(sizeZ * sizeT);
    }

    [Fact]
    public void Levels_OfThePyramid_AgreeWithFullResolution()
    {
        using var tiff = TiffSource.Open(TestCorpus.File(JpegPyramid));
        var full = tiff.Description;
        var fromLevel = ImageRenderer.Region(tiff, new PixelRect(0, 0, 1024, 1024), 256, 256, default, RenderOptions.Default);
        // Force level 0 by reading it whole and shrinking here.
        var level0 = Tessera.Imaging.Pixels.Resampler.Resize(tiff.Read(0, new PixelRect(0, 0, 1024, 1024), default, RenderOptions.Default), 256, 256);
        fromLevel.Pixels.Zip(level0.Pixels, (a, b) => Math.Abs(a - b)).Average().ShouldBeLessThan(4);
        full.Levels[2].Downsample.ShouldBe(4, 0.01);
    }
}
