using System.Diagnostics;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom;
using Tessera.Dicom.IO;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>
/// Every instance of the corpus that has rows and columns: each frame decodes, or the file fails with a clear
/// <see cref="ImageException"/> (or a <see cref="DicomException"/> when the file itself does not parse), never
/// anything else, and never slowly. The files that may fail are named, with the reason they must give.
/// </summary>
public sealed class CorpusRobustnessTests(ITestOutputHelper output)
{
    /// <summary>Files that cannot decode, with a word their error must contain.</summary>
    private static readonly Dictionary<string, string> ExpectedFailures = new(StringComparer.Ordinal)
    {
        ["dcm4che/3gb-bulk-data-truncated"] = "ends early",
        ["fo-dicom/GH626.dcm"] = "ends early",
        ["fo-dicom/GH1146.dcm"] = "holds 0 bytes",
        ["fo-dicom/genFile.dcm"] = "start-of-image",
        ["fo-dicom/GH178.dcm"] = "no pixel data",
        ["fo-dicom/GH179A.dcm"] = "no pixel data",
        ["fo-dicom/GH179B.dcm"] = "no pixel data",
        // Elscint's private compression lives in a private tag, not in Pixel Data.
        ["orthanc-tests/2020-09-12-ELSCINT1-PMSCT_RLE1.dcm"] = "no pixel data",
        ["orthanc-tests/2026-03-16-OD-OF-OL.dcm"] = "no pixel data",
        ["orthanc-tests/HierarchicalAnonymization/2019-03-28/CR000000.dcm"] = "no pixel data",
        ["orthanc-tests/Issue22-NoPixelData.dcm"] = "no pixel data",
        ["orthanc-tests/Issue56-NoPixelData.dcm"] = "no pixel data",
        // Denial-of-service probes: dimensions far beyond the pixel data they carry.
        ["orthanc-tests/2026-05-26-oob-monochrome-46341.dcm"] = "too large",
        ["orthanc-tests/2026-05-26-oob-monochrome-65535.dcm"] = "too large",
    };

    [Fact]
    public void Decode_EveryCorpusImage_DecodesOrFailsClearly()
    {
        TestCorpus.RequireCorpus();
        var surprises = new List<string>();
        foreach (var entry in TestCorpus.DicomFiles.Where(e => e.Details.Contains("Rows=", StringComparison.Ordinal)))
        {
            var clock = Stopwatch.StartNew();
            string? error = null;
            try
            {
                var pixels = CorpusImages.Open(entry.Path);
                var frames = pixels.FrameCount <= 12 ? Enumerable.Range(0, pixels.FrameCount) : [0, pixels.FrameCount / 2, pixels.FrameCount - 1];
                foreach (var frame in frames)
                    pixels.DecodeFrame(frame);
            }
            catch (Exception e) when (e is ImageException or DicomException)
            {
                error = $"{e.GetType().Name}: {e.Message}";
            }
            catch (Exception e)
            {
                surprises.Add($"{entry.Path}: unexpected {e.GetType().Name}: {e.Message}");
                continue;
            }
            if (clock.Elapsed > TimeSpan.FromSeconds(10))
                surprises.Add($"{entry.Path}: took {clock.Elapsed.TotalSeconds:F1} s");
            if (error is not null)
                output.WriteLine($"{entry.Path}: {error}");
            var expected = ExpectedFailures.GetValueOrDefault(entry.Path);
            if (error is null && expected is not null)
                surprises.Add($"{entry.Path}: decoded, but was expected to fail with '{expected}'");
            if (error is not null && (expected is null || !error.Contains(expected, StringComparison.OrdinalIgnoreCase)))
                surprises.Add($"{entry.Path}: {error}");
        }
        surprises.ShouldBeEmpty();
    }
}
