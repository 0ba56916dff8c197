
namespace Tessera.Imaging.Tests.Dicom;

/// <summary>
/// Every lossless transfer syntax in the corpus against the same image stored uncompressed (pydicom-data's pairs,
/// and one nuclear-medicine image that pydicom and Orthanc ship in four lossless syntaxes; its RLE copy is checked
/// against dcmtk in <see cref="DcmtkOracleTests"/>): pixel-exact, every frame.
/// </summary>
public sealed class LosslessPairTests
{
    public static TheoryData<string, string> Pairs => new()
    {
        { "pydicom-data/693_J2KR.dcm", "pydicom-data/693_UNCR.dcm" },
        { "pydicom-data/MR2_J2KR.dcm", "pydicom-data/MR2_UNCR.dcm" },
        { "pydicom-data/US1_J2KR.dcm", "pydicom-data/US1_UNCR.dcm" },
        { "pydicom-data/emri_small_RLE.dcm", "pydicom-data/emri_small.dcm" },
        { "pydicom-data/emri_small_big_endian.dcm", "pydicom-data/emri_small.dcm" },
        { "pydicom-data/emri_small_jpeg_2k_lossless.dcm", "pydicom-data/emri_small.dcm" },
        { "pydicom-data/emri_small_jpeg_ls_lossless.dcm", "pydicom-data/emri_small.dcm" },
        { "pydicom-data/liver_deflate.dcm", "pydicom-data/liver.dcm" },
        { "pydicom-data/liver_expb.dcm", "pydicom-data/liver.dcm" },
        { "pydicom-data/liver_j2k.dcm", "pydicom-data/liver.dcm" },
        { "pydicom-data/liver_rle.dcm", "pydicom-data/liver.dcm" },
        { "pydicom-data/liver_nonbyte_aligned_deflate.dcm", "pydicom-data/liver_nonbyte_aligned.dcm" },
        { "pydicom-data/liver_nonbyte_aligned_j2k.dcm", "pydicom-data/liver_nonbyte_aligned.dcm" },
        { "pydicom-data/liver_nonbyte_aligned_rle.dcm", "pydicom-data/liver_nonbyte_aligned.dcm" },
        { "pydicom-data/OBXXXX1A_rle.dcm", "pydicom-data/OBXXXX1A.dcm" },
        { "pydicom-data/OBXXXX1A_expb.dcm", "pydicom-data/OBXXXX1A.dcm" },
        { "pydicom-data/OBXXXX1A_rle_2frame.dcm", "pydicom-data/OBXXXX1A_2frame.dcm" },
        { "pydicom-data/OBXXXX1A_expb_2frame.dcm", "pydicom-data/OBXXXX1A_2frame.dcm" },
        { "pydicom-data/SC_rgb_expb.dcm", "pydicom-data/SC_rgb.dcm" },
        { "pydicom-data/SC_rgb_expb_2frame.dcm", "pydicom-data/SC_rgb_2frame.dcm" },
        { "pydicom-data/SC_rgb_expb_16bit.dcm", "pydicom-data/SC_rgb_16bit.dcm" },
        { "pydicom-data/SC_rgb_expb_16bit_2frame.dcm", "pydicom-data/SC_rgb_16bit_2frame.dcm" },
        { "pydicom-data/SC_rgb_expb_32bit.dcm", "pydicom-data/SC_rgb_32bit.dcm" },
        { "pydicom-data/SC_rgb_expb_32bit_2frame.dcm", "pydicom-data/SC_rgb_32bit_2frame.dcm" },
        { "pydicom-data/gdcm-US-ALOKA-16_big.dcm", "pydicom-data/gdcm-US-ALOKA-16.dcm" },
        { "pydicom-data/color-pl.dcm", "pydicom-data/color-px.dcm" },
        { "pydicom-data/JPEG-LL.dcm", "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm", "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm", "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm" },
        { "pydicom-data/JLSL_RGB_ILV1.dcm", "pydicom-data/JLSL_RGB_ILV0.dcm" },
        { "pydicom-data/JLSL_RGB_ILV2.dcm", "pydicom-data/JLSL_RGB_ILV0.dcm" },
    };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Decode_LosslessSyntax_EqualsUncompressedReference(string compressed, string reference)
    {
        var actual = CorpusImages.Open(compressed);
        var expected = CorpusImages.Open(reference);
        actual.FrameCount.ShouldBe(expected.FrameCount);
        for (var frame = 0; frame < actual.FrameCount; frame++)
            CorpusImages.ShouldEqualExactly(actual.DecodeFrame(frame), expected.DecodeFrame(frame), $"{compressed} frame {frame + 1}");
    }

    [Fact]
    public void Decode_PydicomCorpus_EveryInstanceWithPixelsDecodesEveryFrame()
    {
        TestCorpus.RequireCorpus();
        var failures = new List<string>();
        foreach (var entry in TestCorpus.DicomFiles.Where(e => e.Path.StartsWith("pydicom-data/", StringComparison.Ordinal) && e.Details.Contains("Rows=")))
        {
            try
            {
                var pixels = CorpusImages.Open(entry.Path);
                for (var frame = 0; frame < pixels.FrameCount; frame++)
                    pixels.DecodeFrame(frame);
            }
            catch (ImageException e) when (entry.Path.Contains("too_short", StringComparison.Ordinal))
            {
                e.Kind.ShouldBe(ImageErrorKind.Malformed);
            }
            catch (Exception e)
            {
                failures.Add($"{entry.Path}: {e.GetType().Name}: {e.Message}");
            }
        }
        failures.ShouldBeEmpty();
    }
}
