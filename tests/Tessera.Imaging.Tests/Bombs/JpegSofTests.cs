using Tessera.Imaging.Codecs;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// JPEG frames whose start-of-frame segment declares another size than the DICOM header: libjpeg-turbo (8-bit), the
/// C# 12-bit DCT decoder and the C# lossless decoder each refuse them from the SOF, before sizing any buffer by it.
/// </summary>
[Collection(HeaderBombTests.Name)]
public sealed class JpegSofTests
{
    // Offsets in a SOF segment from its marker (ITU T.81 B.2.2): precision, then Y (lines), then X.
    private const int Lines = 5;
    private const int Samples = 7;

    /// <summary>The C# decoders size their planes by the SOF: these would be hundreds of megabytes.</summary>
    private const long MostManaged = 16L << 20;

    [Theory]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm", 0xC0)]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm", 0xC1)]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm", 0xC3)]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm", 0xC3)]
    public void Decode_SofLinesHuge_RefusedNamingBothSizes(string file, byte sof)
    {
        var frame = CorpusFrame.Open(file);
        // libjpeg-turbo itself refuses sides over 65500: this one it reads.
        var bomb = frame.With(frame.Segment(sof) + Lines, 60000, 2);
        var (width, height) = (frame.Layout.Columns, frame.Layout.Rows);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe($"the JPEG frame header (SOF{(sof == 0xC3 ? "3" : "")}) declares {width}×60000, the DICOM header {width}×{height}");
        cost.ManagedBytes.ShouldBeLessThan(MostManaged);
    }

    [Theory]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm", 0xC1)]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm", 0xC3)]
    public void Decode_SofBothSidesHuge_RefusedBeforeAnyPlaneIsMade(string file, byte sof)
    {
        // 65535 x 65535 overflowed the plane sizes' int arithmetic before it was checked.
        var frame = CorpusFrame.Open(file);
        var at = frame.Segment(sof);
        var bomb = new CorpusFrame(frame.With(at + Lines, 65535, 2), frame.Layout, frame.Decoder).With(at + Samples, 65535, 2);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("declares 65535×65535");
        cost.ManagedBytes.ShouldBeLessThan(MostManaged);
    }

    [Fact]
    public void Decode_SecondSofSegment_RefusedAsMalformed()
    {
        // A later SOF would resize the frame under planes sized by the first.
        var frame = CorpusFrame.Open("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm");
        var at = frame.Segment(0xC3);
        var sof = frame.Bytes.AsSpan(at, 2 + (int)frame.Read(at + 2, 2)).ToArray();
        sof[Lines] = 0xFF;
        var twice = frame.Bytes[..at].Concat(frame.Bytes[at..(at + sof.Length)]).Concat(sof).Concat(frame.Bytes[(at + sof.Length)..]).ToArray();

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(twice, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("second frame header");
    }

    [Fact]
    public void Decode_FrameOverTheLimit_RefusedBeforeDecoding()
    {
        var frame = CorpusFrame.Open("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm");

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout, new DecodeLimits { MaxPixels = 100_000 }));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("640×480");
    }
}
