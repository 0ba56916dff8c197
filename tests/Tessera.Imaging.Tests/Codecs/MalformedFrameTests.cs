using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Codecs;

/// <summary>Each decoder given a cut-short, corrupted or foreign frame: an <see cref="ImageException"/>, never a crash or a hang.</summary>
public sealed class MalformedFrameTests
{
    public static TheoryData<string> Files => new()
    {
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm",
        "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
        "pydicom-data/HTJ2K_08_RGB.dcm",
        "dcm4che/will-jxl.dcm",
    };

    private static (byte[] Frame, PixelLayout Layout, IFrameDecoder Decoder) Encoded(string relative)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(relative));
        var segments = PixelDataFrames.Locate(file.Dataset, file.Syntax)[0];
        var bytes = segments.SelectMany(s => s.Bulk?.ReadAll() ?? s.Bytes.ToArray()).ToArray();
        return (bytes, DicomPixelData.Open(file).Layout, FrameDecoders.For(file.Syntax));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_TruncatedFrame_FailsAsMalformed(string relative)
    {
        var (frame, layout, decoder) = Encoded(relative);
        foreach (var length in new[] { 0, 2, 16, frame.Length / 3, frame.Length / 2 })
        {
            var error = Should.Throw<ImageException>(() => decoder.Decode(frame.AsSpan(0, length), layout), $"{length} of {frame.Length} bytes");
            error.Kind.ShouldBe(ImageErrorKind.Malformed);
            error.Message.ShouldNotBeNullOrWhiteSpace();
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_CorruptedFrame_DecodesOrFailsAsMalformed(string relative)
    {
        var (frame, layout, decoder) = Encoded(relative);
        var random = new Random(42);
        for (var round = 0; round < 5; round++)
        {
            var damaged = (byte[])frame.Clone();
            for (var i = 0; i < 20; i++)
                damaged[random.Next(16, damaged.Length)] = (byte)random.Next(256);
            try
            {
                var decoded = decoder.Decode(damaged, layout);
                decoded.Data.Length.ShouldBe(decoded.Layout.DecodedBytes);
            }
            catch (ImageException e)
            {
                e.Kind.ShouldBe(ImageErrorKind.Malformed);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_WrongGeometry_IsRefused(string relative)
    {
        var (frame, layout, decoder) = Encoded(relative);
        var wrong = layout with { Rows = layout.Rows / 2, Columns = layout.Columns / 2 };
        if (decoder is RleDecoder)
            wrong = layout with { SamplesPerPixel = 3 };
        Should.Throw<ImageException>(() => decoder.Decode(frame, wrong)).Kind.ShouldBe(ImageErrorKind.Malformed);
    }

    [Fact]
    public void For_VideoTransferSyntax_IsUnsupportedByName()
    {
        var error = Should.Throw<ImageException>(() => FrameDecoders.For(TransferSyntax.Mpeg4High));
        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldContain("MPEG-4 AVC/H.264");
    }
}
