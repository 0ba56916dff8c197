using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Encoding;

public sealed class PngTests
{
    private static RasterImage Gradient(int width, int height, int bands)
    {
        var pixels = new byte[width * height * bands];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (byte)((i * 7) ^ (i / (width * bands)));
        return new RasterImage(width, height, bands, pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void Encode_ThenDecode_GivesTheSamePixels(int bands)
    {
        var image = Gradient(67, 31, bands);
        using var stream = new MemoryStream(PngEncoder.Encode(image));
        var decoded = PngDecoder.Decode(stream);
        decoded.Width.ShouldBe(67);
        decoded.Height.ShouldBe(31);
        var expected = bands == 4
            ? Enumerable.Range(0, 67 * 31).SelectMany(p => image.Pixels.Skip(p * 4).Take(3)).ToArray()
            : image.Pixels;
        decoded.Data.ShouldBe(expected);
    }

    [Fact]
    public void EncodeGray16_ThenDecode_KeepsSixteenBitValues()
    {
        var values = Enumerable.Range(0, 40 * 10).Select(i => (ushort)(i * 163)).ToArray();
        var bytes = values.SelectMany(BitConverter.GetBytes).ToArray();
        using var stream = new MemoryStream(PngEncoder.EncodeGray16(bytes, 40, 10));
        var decoded = PngDecoder.Decode(stream);
        decoded.Layout.BitsAllocated.ShouldBe(16);
        decoded.Data.ShouldBe(bytes);
    }

    [Fact]
    public void Decode_TruncatedPng_FailsAsMalformed()
    {
        var png = PngEncoder.Encode(Gradient(50, 50, 3));
        using var stream = new MemoryStream(png, 0, png.Length / 2);
        Should.Throw<ImageException>(() => PngDecoder.Decode(stream)).Kind.ShouldBe(ImageErrorKind.Malformed);
    }

    [Fact]
    public void Decode_NotAPng_FailsAsMalformed()
    {
        using var stream = new MemoryStream("GIF89a, not a PNG at all"u8.ToArray());
        Should.Throw<ImageException>(() => PngDecoder.Decode(stream)).Kind.ShouldBe(ImageErrorKind.Malformed);
    }
}
