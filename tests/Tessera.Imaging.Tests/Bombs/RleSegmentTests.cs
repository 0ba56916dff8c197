using System.Buffers.Binary;
using System.IO.Compression;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// RLE and deflated frames are sized by the DICOM header, not their data: a few bytes of data under a header that
/// claims a huge frame are refused from the segment table or the stream's length, before the frame is allocated.
/// </summary>
[Collection(HeaderBombTests.Name)]
public sealed class RleSegmentTests
{
    /// <summary>NM, 256 x 1024, 16-bit: two segments.</summary>
    private const string Nm = "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm";

    /// <summary>8192 x 8192 bytes: exactly the default limit, 64 MB a plane.</summary>
    private static readonly PixelLayout AtTheLimit = new() { Rows = 8192, Columns = 8192, BitsAllocated = 8, BitsStored = 8, HighBit = 7 };

    [Fact]
    public void Decode_SegmentTooShortForTheFrame_RefusedBeforeAllocating()
    {
        var frame = CorpusFrame.Open(Nm);
        // The second segment starts one byte after the first: one byte cannot fill a 256 x 1024 plane.
        var first = BinaryPrimitives.ReadUInt32LittleEndian(frame.Bytes.AsSpan(4));
        var lying = (byte[])frame.Bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(lying.AsSpan(8), first + 1);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(lying, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("RLE segment 1 holds 1 bytes, which decode to at most 64; the DICOM header's 256×1024 frame needs 262144 a segment");
    }

    [Fact]
    public void Decode_TinyFrameUnderAHugeHeader_RefusedBeforeAllocating()
    {
        var rle = new byte[64 + 10];
        BinaryPrimitives.WriteUInt32LittleEndian(rle, 1);
        BinaryPrimitives.WriteUInt32LittleEndian(rle.AsSpan(4), 64);

        IFrameDecoder decoder = RleDecoder.Instance;

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => decoder.Decode(rle, AtTheLimit));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("RLE segment 1 holds 10 bytes, which decode to at most 640; the DICOM header's 8192×8192 frame needs 67108864 a segment");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "neither the 64 MB frame nor its 64 MB plane is made");
    }

    [Fact]
    public void Decode_SegmentOffsetPastTheFrame_RefusedAsMalformed()
    {
        var frame = CorpusFrame.Open(Nm);
        var lying = (byte[])frame.Bytes.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(lying.AsSpan(8), 0xFFFFFFF0);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(lying, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("outside the");
    }

    [Fact]
    public void Decode_DeflatedFrameTooShortForTheHeader_RefusedBeforeAllocating()
    {
        using var compressed = new MemoryStream();
        using (var deflate = new DeflateStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(new byte[10]);

        IFrameDecoder decoder = DeflatedFrameDecoder.Instance;

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => decoder.Decode(compressed.ToArray(), AtTheLimit));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldStartWith($"the deflated frame holds {compressed.Length} bytes, which inflate to at most");
        cost.ManagedBytes.ShouldBeLessThan(1L << 20, "the 64 MB frame is not made");
    }

    [Fact]
    public void Decode_HeaderOverTheLimit_RefusedAsUnsupported()
    {
        var frame = CorpusFrame.Open(Nm);

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout, new DecodeLimits { MaxPixels = 1024 }));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldBe("the DICOM header declares 256×1024, 262144 pixels: more than the 1024 decoded at once (Imaging:MaxDecodedPixels)");
    }
}
