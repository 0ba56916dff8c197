using Tessera.Imaging.Display;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;
using Tessera.Imaging.Sources;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>TIFF tags that lie about tile sizes and byte counts: refused when the file is opened or the tile read, before libtiff or we allocate for them.</summary>
[Collection(HeaderBombTests.Name)]
public sealed class TiffTagTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-tiff-tags-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static byte[] JpegTile(int side) => JpegEncoder.Encode(new RasterImage(side, side, 3, new byte[side * side * 3]), 85);

    [Fact]
    public void Open_TileTagsHuge_RefusedNamingTheSize()
    {
        // 16384 x 16384 tiles over a 256 x 256 image: one tile, 1 GB of RGBA raster for it.
        var path = TinyTiff.Write(_work, "huge-tiles.tif", new TinyTiff.Tags(256, 256, 16384, 16384), new byte[256]);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => TiffSource.Open(path).Dispose());

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldBe("the TIFF tile size declares 16384×16384, 268435456 pixels: more than the 67108864 decoded at once (Imaging:MaxDecodedPixels)");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20);
    }

    [Fact]
    public void StoredJpegTile_ByteCountHuge_RefusedBeforeAllocating()
    {
        var tile = JpegTile(256);
        var tags = new TinyTiff.Tags(256, 256, 256, 256, Samples: 3, Compression: 7, Photometric: 2) { ByteCount = 0x7FFF0000 };
        var path = TinyTiff.Write(_work, "lying-count.tif", tags, tile);
        using var source = TiffSource.Open(path);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => source.StoredJpegTile(0, 0, 0, default));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldStartWith("TIFF tile 0 declares 2147418112 bytes at offset");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "the tag's 2 GB are not allocated");
    }

    [Fact]
    public void Read_JpegTileLargerThanItsTags_RefusedNamingBothSizes()
    {
        var path = TinyTiff.Write(_work, "large-jpeg.tif", new TinyTiff.Tags(256, 256, 256, 256, Samples: 3, Compression: 7, Photometric: 2), JpegTile(512));
        using var source = TiffSource.Open(path);

        var error = Should.Throw<ImageException>(() => source.Read(0, new PixelRect(0, 0, 256, 256), default, RenderOptions.Default));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG frame header (SOF) declares 512×512, the TIFF tile size 256×256");
    }
}
