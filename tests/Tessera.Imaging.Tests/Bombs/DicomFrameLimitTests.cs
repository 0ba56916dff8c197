using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Imaging.Tests.Bombs;

/// <summary>A DICOM frame larger than Imaging:MaxDecodedPixels is refused from its header, whatever its transfer syntax.</summary>
public sealed class DicomFrameLimitTests
{
    [Theory]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm")]
    [InlineData("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.1.dcm")]
    public void DecodeFrame_OverTheLimit_RefusedAsUnsupported(string file)
    {
        var pixels = DicomPixelData.Open(DicomReader.ReadFile(TestCorpus.File(file)), new DecodeLimits { MaxPixels = 1000 });

        var error = Should.Throw<ImageException>(() => pixels.DecodeFrame(0));

        error.Kind.ShouldBe(ImageErrorKind.Unsupported);
        error.Message.ShouldStartWith($"the DICOM header declares {pixels.Layout.Columns}×{pixels.Layout.Rows}");
    }

    [Fact]
    public void DecodeFrame_WithinTheLimit_Decodes()
    {
        var file = DicomReader.ReadFile(TestCorpus.File("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm"));
        var pixels = DicomPixelData.Open(file, new DecodeLimits { MaxPixels = 512 * 512 });

        pixels.DecodeFrame(0).Data.Length.ShouldBe(512 * 512 * 2);
    }
}
