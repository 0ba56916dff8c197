using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>
/// Every RLE, JPEG and JPEG-LS instance of the corpus decoded by us and by dcmtk (an independent implementation):
/// lossless syntaxes and 8-bit JPEG must agree exactly; 12-bit JPEG within one level.
/// </summary>
public sealed class DcmtkOracleTests
{
    public static TheoryData<string, string> Files => new()
    {
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.5.dcm", "dcmdrle" },
        { "pydicom-data/OBXXXX1A_rle_2frame.dcm", "dcmdrle" },
        { "pydicom-data/emri_small_RLE.dcm", "dcmdrle" },
        { "fo-dicom/D_CLUNIE_CT1_RLE_FRAGS.dcm", "dcmdrle" },
        { "dcm4che/YBR_FULL-RLE.dcm", "dcmdrle" },
        { "dcm4che/US-PAL-8-10x-echo", "dcmdrle" },
        { "orthanc-tests/2022-11-14-RLEPlanarConfiguration.dcm", "dcmdrle" },
        { "orthanc-tests/2023-04-21-RLEPlanarConfigurationYBR_FULL.dcm", "dcmdrle" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.70.dcm", "dcmdjpeg" },
        { "dcm4che/CT-JPEGLosslessSV1.dcm", "dcmdjpeg" },
        { "dcm4che/MR-JPEGLosslessSV1.dcm", "dcmdjpeg" },
        { "fo-dicom/CR-ModalitySequenceLUT.dcm", "dcmdjpeg" },
        { "fo-dicom/GH133.dcm", "dcmdjpeg" },
        { "fo-dicom/GH1261.dcm", "dcmdjpeg" },
        { "fo-dicom/GH184.dcm", "dcmdjpeg" },
        { "fo-dicom/GH538-jpeg14sv1.dcm", "dcmdjpeg" },
        { "fo-dicom/GH610.dcm", "dcmdjpeg" },
        { "fo-dicom/IM-0001-0001-0001.dcm", "dcmdjpeg" },
        { "fo-dicom/OutOfBoundsOverlay.dcm", "dcmdjpeg" },
        { "orthanc-tests/2024-05-30-GuillemVela.dcm", "dcmdjpeg" },
        { "orthanc-tests/PatientWith2studies/TEST_1_study_1234.dcm", "dcmdjpeg" },
        { "pydicom-data/JPGLosslessP14SV1_1s_1f_8b.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm", "dcmdjpeg" },
        { "dcm4che/NM1_JPLY", "dcmdjpeg" },
        { "fo-dicom/GH195.dcm", "dcmdjpeg" },
        { "fo-dicom/GH538-jpeg1.dcm", "dcmdjpeg" },
        { "fo-dicom/JPEGwithIcon.dcm", "dcmdjpeg" },
        { "fo-dicom/HasFragmentSequence.dcm", "dcmdjpeg" },
        { "orthanc-tests/Issue16.dcm", "dcmdjpeg" },
        { "derived/cmu1-small-region-dicom-wsi/wsi-000003.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm", "dcmdjpls" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm", "dcmdjpls" },
        { "dcm4che/jpeg-ls-Palette.dcm", "dcmdjpls" },
        { "highdicom/sm_image_jpegls.dcm", "dcmdjpls" },
        { "orthanc-tests/2021-02-19-MalaterreCP246.dcm", "dcmdjpls" },
        { "pydicom-data/JLSL_16_15_1_1F.dcm", "dcmdjpls" },
        { "pydicom-data/JLSN_RGB_ILV0.dcm", "dcmdjpls" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Decode_CorpusInstance_MatchesDcmtk(string relative, string tool)
    {
        var path = TestCorpus.File(relative);
        var work = Directory.CreateTempSubdirectory("tessera-oracle-");
        try
        {
            var reference = DcmtkDecompressors.Decompress(tool, path, Path.Combine(work.FullName, "reference.dcm"))
                ?? throw new InvalidOperationException($"{tool} could not decompress {relative}");
            var ours = CorpusImages.Open(relative);
            var theirs = DicomPixelData.Open(DicomReader.ReadFile(reference, new DicomReadOptions { BulkDataThreshold = 4096 }));
            theirs.FrameCount.ShouldBe(ours.FrameCount);
            var lossy = ours.TransferSyntaxUid is "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51";
            foreach (var frame in Sample(ours.FrameCount))
            {
                var (actual, expected) = (ours.DecodeFrame(frame), theirs.DecodeFrame(frame));
                var because = $"{relative} frame {frame + 1}";
                if (!lossy)
                {
                    CorpusImages.MaxDifference(actual, expected).ShouldBe(0, because);
                    continue;
                }
                // 8-bit frames: libjpeg-turbo and dcmtk's IJG run the same accurate integer IDCT and agree exactly.
                // 12-bit frames: our floating-point IDCT rounds a few samples one level away from IJG's integer one.
                var tolerance = expected.Layout.EffectiveBitsStored <= 8 ? 0 : 1;
                CorpusImages.MaxDifference(actual, expected).ShouldBeLessThanOrEqualTo(tolerance, because);
                CorpusImages.MeanDifference(actual, expected).ShouldBeLessThanOrEqualTo(0.05, because);
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>All frames of a short object; the first, middle and last of a long one.</summary>
    private static IEnumerable<int> Sample(int frames) =>
        frames <= 8 ? Enumerable.Range(0, frames) : new[] { 0, frames / 2, frames - 1 };
}
