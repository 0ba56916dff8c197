using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>Opens corpus instances as the server does (large values left in the file) and compares decoded frames.</summary>
internal static class CorpusImages
{
    private static readonly DicomReadOptions LikeTheServer = new() { BulkDataThreshold = 4096 };

    public static DicomPixelData Open(string relative) =>
        DicomPixelData.Open(DicomReader.ReadFile(TestCorpus.File(relative), LikeTheServer));

    public static PixelFrame Decode(string relative, int frame = 0) => Open(relative).DecodeFrame(frame);

    /// <summary>Every sample's stored value (masked, sign-extended), as the display pipeline reads it.</summary>
    public static double[] Values(PixelFrame frame)
    {
        var count = frame.Layout.Pixels * frame.Layout.SamplesPerPixel;
        var values = new double[count];
        for (var i = 0; i < count; i++)
            values[i] = StoredValues.Read(frame, i);
        return values;
    }

    /// <summary>The largest difference between two frames' stored values, after checking their geometry matches.</summary>
    public static double MaxDifference(PixelFrame actual, PixelFrame expected)
    {
        actual.Width.ShouldBe(expected.Width);
        actual.Height.ShouldBe(expected.Height);
        actual.Layout.SamplesPerPixel.ShouldBe(expected.Layout.SamplesPerPixel);
        var (a, e) = (Values(actual), Values(expected));
        var max = 0.0;
        for (var i = 0; i < a.Length; i++)
            max = Math.Max(max, Math.Abs(a[i] - e[i]));
        return max;
    }

    /// <summary>The mean absolute difference, for lossy codecs whose decoders round differently.</summary>
    public static double MeanDifference(PixelFrame actual, PixelFrame expected)
    {
        var (a, e) = (Values(actual), Values(expected));
        a.Length.ShouldBe(e.Length);
        return a.Zip(e, (x, y) => Math.Abs(x - y)).Average();
    }

    public static void ShouldEqualExactly(PixelFrame actual, PixelFrame expected, string because)
    {
        actual.Layout.Photometric.ShouldBe(expected.Layout.Photometric, because);
        MaxDifference(actual, expected).ShouldBe(0, because);
    }
}
