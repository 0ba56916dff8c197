using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Encoding;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>
/// Decodes against reference images written by other tools: Orthanc's PNGs of stored values (Formats/ and
/// TransferSyntaxes/), and pydicom-data's decodes of its lossy JPEG 2000 files, within stated tolerances.
/// </summary>
public sealed class ReferenceImageTests
{
    private static PixelFrame Png(string relative)
    {
        using var stream = File.OpenRead(TestCorpus.File(relative));
        return PngDecoder.Decode(stream);
    }

    [Theory]
    [InlineData("orthanc-tests/KarstenHilbertRF.dcm", "orthanc-tests/Formats/KarstenHilbertRF.png")]
    [InlineData("orthanc-tests/SignedCT.dcm", "orthanc-tests/Formats/SignedCT.png")]
    public void Decode_OrthancFormats_EqualsStoredValuesPng(string dicom, string png)
    {
        var frame = CorpusImages.Decode(dicom);
        var reference = Png(png);
        frame.Width.ShouldBe(reference.Width);
        frame.Height.ShouldBe(reference.Height);
        // The PNGs hold the raw words, ignoring signedness (Formats/Generate.sh): compare the bytes as stored.
        frame.Data.AsSpan(0, reference.Data.Length).SequenceEqual(reference.Data).ShouldBeTrue();
    }

    [Fact]
    public void Decode_JpegBaselineYbr422_EqualsOrthancPng()
    {
        var frame = CorpusImages.Decode("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm");
        var reference = Png("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.png");
        frame.Layout.Photometric.ShouldBe(Photometric.Rgb);
        // Orthanc's libjpeg and libjpeg-turbo share the accurate IDCT and fancy upsampling: identical output.
        CorpusImages.MaxDifference(frame, reference).ShouldBe(0);
    }

    [Theory]
    // pydicom-data's UNCI files are the J2KI files decoded by another JPEG 2000 decoder: identical.
    [InlineData("pydicom-data/MR2_J2KI.dcm", "pydicom-data/MR2_UNCI.dcm", 0.0)]
    [InlineData("pydicom-data/US1_J2KI.dcm", "pydicom-data/US1_UNCI.dcm", 0.0)]
    // The same picture coded lossy and lossless: the lossy one within its coding error (4 levels measured).
    [InlineData("pydicom-data/HTJ2K_08_RGB.dcm", "pydicom-data/HTJ2KLossless_08_RGB.dcm", 4.0)]
    // Near-lossless JPEG-LS guarantees |error| <= NEAR, here 3.
    [InlineData("pydicom-data/JLSN_RGB_ILV0.dcm", "pydicom-data/JLSL_RGB_ILV0.dcm", 3.0)]
    public void Decode_LossySyntax_WithinToleranceOfReference(string lossy, string reference, double maxDifference)
    {
        var actual = CorpusImages.Decode(lossy);
        var expected = CorpusImages.Decode(reference);
        CorpusImages.MaxDifference(actual, expected).ShouldBeLessThanOrEqualTo(maxDifference);
    }

    /// <summary>fo-dicom's whole-slide sample stores its right and bottom edge tiles cropped (55 or 121 pixels).</summary>
    [Fact]
    public void Decode_CroppedEdgeTile_IsPlacedTopLeftAndPaddedBlack()
    {
        var frame = CorpusImages.Decode("fo-dicom/multiframe.dcm", 13);
        frame.Width.ShouldBe(240);
        var work = Directory.CreateTempSubdirectory("tessera-edge-");
        try
        {
            // dcmtk writes the 55 x 240 tile's pixels one after the other, without the frame's row stride.
            var reference = DcmtkDecompressors.Decompress("dcmdjpeg", TestCorpus.File("fo-dicom/multiframe.dcm"), Path.Combine(work.FullName, "d.dcm"))!;
            var packed = DicomPixelData.Open(DicomReader.ReadFile(reference)).DecodeFrame(13).Data;
            for (var y = 0; y < 240; y++)
            {
                frame.Data.AsSpan(y * 240 * 3, 55 * 3).SequenceEqual(packed.AsSpan(y * 55 * 3, 55 * 3)).ShouldBeTrue($"row {y}");
                frame.Data.AsSpan(y * 240 * 3 + 55 * 3, (240 - 55) * 3).ContainsAnyExcept((byte)0).ShouldBeFalse($"row {y}");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
