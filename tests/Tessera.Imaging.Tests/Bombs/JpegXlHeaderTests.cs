using Tessera.Imaging.Codecs;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// JPEG XL frames against a DICOM header of another size: refused at libjxl's basic info event, before the output
/// buffer is asked for. (The codestream's size header is bit-packed, so the DICOM side is the one changed here.)
/// </summary>
[Collection(HeaderBombTests.Name)]
public sealed class JpegXlHeaderTests
{
    /// <summary>Ultrasound, 1016 x 708 RGB, 27 frames.</summary>
    private const string Ultrasound = "dcm4che/will-jxl.dcm";

    [Fact]
    public void Decode_BasicInfoLargerThanTheDicomHeader_RefusedNamingBothSizes()
    {
        var frame = CorpusFrame.Open(Ultrasound);
        var smaller = frame.Layout with { Rows = 16, Columns = 16 };

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(frame.Bytes, smaller));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG XL basic info declares 1016×708, the DICOM header 16×16");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "the 2 MB output buffer is not made");
    }

    [Fact]
    public void Decode_BasicInfoWithOtherChannels_RefusedNamingBoth()
    {
        var frame = CorpusFrame.Open(Ultrasound);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout with { SamplesPerPixel = 1 }));

        error.Message.ShouldBe("the JPEG XL basic info declares 1016×708 with 3 components, the DICOM header 1016×708 with 1 component");
    }

    [Fact]
    public void Decode_FrameOverTheLimit_RefusedBeforeDecoding()
    {
        var frame = CorpusFrame.Open(Ultrasound);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout, new DecodeLimits { MaxPixels = 1016 * 708 - 1 }));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("1016×708");
    }
}
