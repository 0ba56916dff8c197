using Tessera.Imaging.Codecs;
using Tessera.Imaging.Codecs.Jpeg;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Fuzz;

/// <summary>
/// Found by fuzz/ (target jpeg), in the C# decoders' marker walk: a Huffman table with more short codes than its
/// lengths allow ran past the 8-bit lookup (IndexOutOfRangeException), and an empty DRI or SOS segment was read
/// past its end (ArgumentOutOfRangeException, IndexOutOfRangeException). Each is now a Malformed ImageException.
/// </summary>
public sealed class JpegShortSegments
{
    private static readonly PixelLayout Lossless4x4 = new()
    {
        Rows = 4,
        Columns = 4,
        SamplesPerPixel = 1,
        BitsAllocated = 8,
        BitsStored = 8,
        HighBit = 7,
        Photometric = Photometric.Monochrome2,
    };

    /// <summary>SOI, then a SOF3 of 4×4 8-bit grey (component 1, sampling 1×1, table 0).</summary>
    private static readonly byte[] Head = [0xFF, 0xD8, 0xFF, 0xC3, 0x00, 0x0B, 0x08, 0x00, 0x04, 0x00, 0x04, 0x01, 0x01, 0x11, 0x00];

    private static readonly byte[] End = [0xFF, 0xD9];

    [Fact]
    public void Decode_HuffmanTableWithThreeOneBitCodes_ThrowsMalformed()
    {
        // DC table 0: three codes of length 1 (two at most exist), symbols 0, 1, 2.
        byte[] dht = [0xFF, 0xC4, 0x00, 0x16, 0x00, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
        var error = Should.Throw<ImageException>(() => JpegDecoder.Instance.Decode([.. Head, .. dht, .. End], Lossless4x4, DecodeLimits.Default));
        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldContain("more codes than its lengths allow");
    }

    [Fact]
    public void Decode_RestartIntervalSegmentWithoutItsValue_ThrowsMalformed()
    {
        byte[] dri = [0xFF, 0xDD, 0x00, 0x02];
        var error = Should.Throw<ImageException>(() => JpegDecoder.Instance.Decode([.. Head, .. dri, .. End], Lossless4x4, DecodeLimits.Default));
        error.Message.ShouldContain("(DRI) is truncated");
    }

    [Fact]
    public void Decode_EmptyScanHeader_ThrowsMalformed()
    {
        byte[] sos = [0xFF, 0xDA, 0x00, 0x02];
        var error = Should.Throw<ImageException>(() => JpegDecoder.Instance.Decode([.. Head, .. sos, .. End], Lossless4x4, DecodeLimits.Default));
        error.Message.ShouldContain("scan header is empty");
    }
}
