using Tessera.Imaging.Codecs;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// The finding: one flipped bit in a JPEG 2000 SIZ marker (Ysiz 8388864 where the DICOM header said 256 rows) made
/// OpenJPEG allocate and decode gigabytes for one anonymous tile request. Each test flips a real codestream's SIZ and
/// expects the decoder to refuse it from the header, naming both sizes, before opj_decode allocates anything.
/// </summary>
[Collection(HeaderBombTests.Name)]
public sealed class Jpeg2000SizTests
{
    /// <summary>A CT, 512 x 512, one 16-bit component, one tile (a raw J2K codestream).</summary>
    private const string Ct = "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm";

    /// <summary>RGB, 640 x 480, three 8-bit components, HTJ2K.</summary>
    private const string Htj2k = "pydicom-data/HTJ2K_08_RGB.dcm";

    /// <summary>The bit the finding flipped (256 rows became 8388864).</summary>
    private const uint FlippedBit = 1u << 23;

    // Offsets in the SIZ segment from its marker (ISO 15444-1 A.5.1).
    private const int Xsiz = 6;
    private const int Ysiz = 10;
    private const int XTsiz = 22;
    private const int YTsiz = 26;
    private const int Csiz = 38;

    /// <summary>Reading a header costs kilobytes; the bombs cost gigabytes.</summary>
    private const long MostGrowth = 64L << 20;

    [Theory]
    [InlineData(Ct, Ysiz)]
    [InlineData(Ct, Xsiz)]
    [InlineData(Htj2k, Ysiz)]
    [InlineData(Htj2k, Xsiz)]
    public void Decode_SizSideBitFlipped_RefusedFromTheHeaderNamingBothSizes(string file, int side)
    {
        var frame = CorpusFrame.Open(file);
        var siz = frame.Find(0x51);
        var bomb = frame.With(siz + side, frame.Read(siz + side, 4) | FlippedBit, 4);
        var (width, height) = (frame.Layout.Columns, frame.Layout.Rows);
        var declared = side == Xsiz ? $"{width + FlippedBit}×{height}" : $"{width}×{height + FlippedBit}";

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe($"the JPEG 2000 codestream declares {declared}, the DICOM header {width}×{height}");
        cost.PeakGrowthBytes.ShouldBeLessThan(MostGrowth, "opj_decode must not have run");
    }

    [Fact]
    public void Decode_SizComponentCountHuge_RefusedFromTheHeader()
    {
        var frame = CorpusFrame.Open(Ct);
        var siz = frame.Find(0x51);
        var length = (int)frame.Read(siz + 2, 2);
        frame.Read(siz + Csiz, 2).ShouldBe(1u);
        // 16384 components (the most Csiz allows), each like the first, in a SIZ whose length says so.
        const int components = 16384;
        var component = frame.Bytes.AsSpan(siz + Csiz + 2, 3).ToArray();
        var bomb = new List<byte>(frame.Bytes.Length + components * 3);
        bomb.AddRange(frame.Bytes.AsSpan(0, siz + 2).ToArray());
        const int sizLength = 38 + 3 * components;
        bomb.AddRange([sizLength >> 8, sizLength & 0xFF]);
        bomb.AddRange(frame.Bytes.AsSpan(siz + 4, Csiz - 4).ToArray());
        bomb.AddRange([components >> 8, components & 0xFF]);
        for (var c = 0; c < components; c++)
            bomb.AddRange(component);
        bomb.AddRange(frame.Bytes.AsSpan(siz + 2 + length).ToArray());

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb.ToArray(), frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG 2000 codestream declares 512×512 with 16384 components, the DICOM header 512×512 with 1 component");
        cost.PeakGrowthBytes.ShouldBeLessThan(MostGrowth, "opj_decode must not have run");
    }

    [Fact]
    public void Decode_SizTilesTiny_RefusedFromTheHeader()
    {
        var frame = CorpusFrame.Open(Ct);
        var siz = frame.Find(0x51);
        // 4 x 4 tiles: 16384 of them, each of which OpenJPEG sets up before it decodes the first.
        var bomb = new CorpusFrame(frame.With(siz + XTsiz, 4, 4), frame.Layout, frame.Decoder).With(siz + YTsiz, 4, 4);

        var (error, cost) = AllocationProbe.Throws<ImageException>(() => frame.Decoder.Decode(bomb, frame.Layout));

        error.Kind.ShouldBe(ImageErrorKind.Malformed);
        error.Message.ShouldBe("the JPEG 2000 codestream declares 16384 tiles of 4×4 for a 512×512 image; at most 256 are decoded");
        cost.PeakGrowthBytes.ShouldBeLessThan(MostGrowth, "opj_decode must not have run");
    }

    [Fact]
    public void Decode_SizTilesHuge_DecodesAsStored()
    {
        // A tile larger than the image is legal (ISO 15444-1 A.5.1) and allocates nothing more: OpenJPEG clips
        // tiles to the image area. It must not be refused with the bombs.
        var frame = CorpusFrame.Open(Ct);
        var siz = frame.Find(0x51);
        var huge = new CorpusFrame(frame.With(siz + XTsiz, 0x7FFFFFFF, 4), frame.Layout, frame.Decoder).With(siz + YTsiz, 0x7FFFFFFF, 4);

        var decoded = frame.Decoder.Decode(huge, frame.Layout);

        decoded.Data.ShouldBe(frame.Decoder.Decode(frame.Bytes, frame.Layout).Data);
    }

    [Fact]
    public void Read_Jp2WithADecoySizBeforeItsCodestream_ReadsTheCodestreamBox()
    {
        var frame = CorpusFrame.Open(Ct);
        var decoy = frame.With(frame.Find(0x51) + Ysiz, 0x7FFFFFFF, 4);
        static byte[] Box(string type, byte[] content) =>
            [.. BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(8 + content.Length)), .. System.Text.Encoding.ASCII.GetBytes(type), .. content];
        byte[] jp2 = [.. Box("jP  ", [0x0D, 0x0A, 0x87, 0x0A]), .. Box("xml ", decoy), .. Box("jp2c", frame.Bytes)];

        var siz = Jpeg2000Siz.Read(jp2);

        (siz.Width, siz.Height, siz.Components, siz.Tiles).ShouldBe((512L, 512L, 1, 1L));
    }

    [Fact]
    public void Decode_FrameOverTheLimit_RefusedAsUnsupported()
    {
        var frame = CorpusFrame.Open(Ct);
        var limits = new DecodeLimits { MaxPixels = 512 * 512 - 1 };

        var error = Should.Throw<ImageException>(() => frame.Decoder.Decode(frame.Bytes, frame.Layout, limits));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldBe("the DICOM header declares 512×512, 262144 pixels: more than the 262143 decoded at once (Imaging:MaxDecodedPixels)");
    }
}
