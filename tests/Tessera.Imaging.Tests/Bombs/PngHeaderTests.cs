using System.Buffers.Binary;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>PNG files whose IHDR or chunk lengths lie: refused from the header, before rows or chunks are allocated.</summary>
[Collection(HeaderBombTests.Name)]
public sealed class PngHeaderTests
{
    /// <summary>IHDR's data: width at 16, height at 20 (after the signature and the chunk's length and type).</summary>
    private const int Width = 16;
    private const int Height = 20;

    private static byte[] Png() => PngEncoder.Encode(new RasterImage(32, 32, 3, new byte[32 * 32 * 3]));

    private static byte[] WithSize(int width, int height)
    {
        var png = Png();
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(Width), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(Height), height);
        return png;
    }

    [Fact]
    public void Decode_IhdrDeclaresHugeImage_RefusedBeforeAllocating()
    {
        using var stream = new MemoryStream(WithSize(30000, 30000));

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => PngDecoder.Decode(stream));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldBe("the PNG header (IHDR) declares 30000×30000, 900000000 pixels: more than the 67108864 decoded at once (Imaging:MaxDecodedPixels)");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "the 2.7 GB picture is not made");
    }

    [Fact]
    public void Rows_IhdrDeclaresRowsOfGigabytes_RefusedEvenWithoutAPixelLimit()
    {
        // Read band by band (no pixel limit), a PNG is still read a row at a time: a row of 2^31 - 1 RGB pixels is not.
        using var stream = new MemoryStream(WithSize(int.MaxValue, 1));

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => new PngRows(stream, long.MaxValue).Dispose());

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain($"rows of {int.MaxValue} pixels");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20);
    }

    [Fact]
    public void Decode_IhdrDeclaresNegativeSize_RefusedAsMalformed()
    {
        using var stream = new MemoryStream(WithSize(-5, 32));

        Should.Throw<ImageException>(() => PngDecoder.Decode(stream)).Kind.ShouldBe(ImageErrorKind.Malformed);
    }

    [Fact]
    public void Decode_AncillaryChunkClaimsTwoGigabytes_SkippedUnallocatedAndFoundTruncated()
    {
        var png = Png();
        // A tEXt chunk after IHDR (8 + 25 bytes) whose length says 2 GB, in a file of a few hundred bytes.
        byte[] text = [0x7F, 0xFF, 0x00, 0x00, (byte)'t', (byte)'E', (byte)'X', (byte)'t', 1, 2, 3, 4];
        using var stream = new MemoryStream([.. png[..33], .. text, .. png[33..]]);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => PngDecoder.Decode(stream));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the PNG chunk tEXt is truncated");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "the chunk's claimed 2 GB are not allocated");
    }

    [Fact]
    public void Decode_PaletteLongerThan256Entries_RefusedAsMalformed()
    {
        var png = Png();
        byte[] palette = [0x00, 0x10, 0x00, 0x00, (byte)'P', (byte)'L', (byte)'T', (byte)'E'];
        using var stream = new MemoryStream([.. png[..33], .. palette, .. new byte[0x100000 + 4], .. png[33..]]);

        Should.Throw<ImageException>(() => PngDecoder.Decode(stream)).Message.ShouldContain("palette chunk is 1048576 bytes");
    }
}
