using Tessera.Imaging.Codecs;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Bombs;

public sealed class DecodeLimitsTests
{
    private static readonly PixelLayout Frame = new() { Rows = 256, Columns = 256, BitsAllocated = 16 };

    [Fact]
    public void CheckDeclared_SizeOfTheFinding_NamesBothSizes()
    {
        var error = Should.Throw<ImageException>(() => DecodeLimits.Default.CheckDeclared("JPEG 2000 codestream", 256, 8388864, 1, Frame));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG 2000 codestream declares 256×8388864, the DICOM header 256×256");
    }

    [Fact]
    public void CheckDeclared_AtMostAndSmaller_IsAccepted()
    {
        Should.NotThrow(() => DecodeLimits.Default.CheckDeclared("JPEG frame header (SOF)", 200, 100, 1, Frame, atMost: true));
        Should.Throw<ImageException>(() => DecodeLimits.Default.CheckDeclared("JPEG frame header (SOF)", 257, 100, 1, Frame, atMost: true));
    }

    [Fact]
    public void CheckDeclared_LargestHeaderValues_DoNotOverflow()
    {
        var error = Should.Throw<ImageException>(() => DecodeLimits.Default.CheckDeclared("test header", uint.MaxValue, uint.MaxValue));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("18446744065119617025 pixels");
    }

    [Fact]
    public void BufferSize_ProductOverAnArray_IsRefused()
    {
        DecodeLimits.BufferSize("a buffer", 1024, 1024, 3).ShouldBe(3 << 20);
        Should.Throw<ImageException>(() => DecodeLimits.BufferSize("a buffer", 65535, 65535, 4)).Kind.ShouldBe(ImageErrorKind.Unsupported);
        Should.Throw<ImageException>(() => DecodeLimits.BufferSize("a buffer", long.MaxValue, 2)).Kind.ShouldBe(ImageErrorKind.Unsupported);
    }
}
