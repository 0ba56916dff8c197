using Tessera.Imaging.Codecs;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>JPEG-LS frames whose SOF55 segment lies about their size: refused from CharLS's header, before its buffer is made.</summary>
[Collection(HeaderBombTests.Name)]
public sealed class JpegLsSofTests
{
    /// <summary>NM, 256 x 1024, 16-bit.</summary>
    private const string Nm = "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm";

    private const int Lines = 5;
    private const int Samples = 7;
    private const int Components = 9;

    [Theory]
    [InlineData(Lines, "256×65535")]
    [InlineData(Samples, "65535×1024")]
    public void Decode_Sof55SideHuge_RefusedNamingBothSizes(int side, string declared)
    {
        var frame = CorpusFrame.Open(Nm);
        var bomb = frame.With(frame.Segment(0xF7) + side, 65535, 2);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe($"the JPEG-LS frame header (SOF55) declares {declared}, the DICOM header 256×1024");
        cost.PeakGrowthBytes.ShouldBeLessThan(64L << 20);
    }

    [Fact]
    public void Decode_Sof55ComponentsChanged_RefusedNamingBoth()
    {
        var frame = CorpusFrame.Open(Nm);
        var at = frame.Segment(0xF7);
        // Three components need three component specifications: the segment is rebuilt with two more.
        var length = (int)frame.Read(at + 2, 2);
        var component = frame.Bytes.AsSpan(at + 10, 3).ToArray();
        var sof = frame.Bytes.AsSpan(at, 2 + length).ToArray().Concat(component).Concat(component).ToArray();
        sof[2] = (byte)((length + 6) >> 8);
        sof[3] = (byte)(length + 6);
        sof[Components] = 3;
        component[0]++;
        sof[^3] = (byte)(component[0] + 1);
        sof[^6] = component[0];
        var bomb = frame.Bytes[..at].Concat(sof).Concat(frame.Bytes[(at + 2 + length)..]).ToArray();

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG-LS frame header (SOF55) declares 256×1024 with 3 components, the DICOM header 256×1024 with 1 component");
    }

    [Fact]
    public void Decode_FrameOverTheLimit_RefusedBeforeDecoding()
    {
        var frame = CorpusFrame.Open(Nm);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout, new DecodeLimits { MaxPixels = 1000 }));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("256×1024");
    }
}
