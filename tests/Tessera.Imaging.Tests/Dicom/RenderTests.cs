using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Tests.Dicom;

/// <summary>The display pipeline on real files: modality LUT and rescale, VOI windows and LUTs, MONOCHROME1, colour.</summary>
public sealed class RenderTests
{
    private static (PixelFrame Frame, DisplaySettings Settings, RasterImage Image) Render(string relative, RenderOptions? options = null, int frame = 0)
    {
        var pixels = CorpusImages.Open(relative);
        var decoded = pixels.DecodeFrame(frame);
        var settings = pixels.Display(frame);
        return (decoded, settings, FrameRenderer.Render(decoded, settings, options));
    }

    [Fact]
    public void Render_SignedCt_UsesRescaleAndTheFilesWindow()
    {
        var (frame, settings, image) = Render("orthanc-tests/SignedCT.dcm");
        settings.RescaleIntercept.ShouldBe(-1024);
        settings.Windows.ShouldHaveSingleItem().ShouldBe(new Window(-600, 1600));
        var values = CorpusImages.Values(frame);
        for (var i = 0; i < values.Length; i += 997)
        {
            var hu = values[i] - 1024;
            var expected = hu <= -1400.5 ? 0 : hu > 199.5 ? 255 : (int)Math.Round(((hu + 600.5) / 1599 + 0.5) * 255);
            ((int)image.Pixels[i]).ShouldBe(expected, $"pixel {i} at {hu} HU");
        }
    }

    [Fact]
    public void Render_WindowOverride_ReplacesTheFilesWindow()
    {
        var (frame, _, image) = Render("orthanc-tests/SignedCT.dcm", new RenderOptions { Window = new Window(40, 400) });
        var values = CorpusImages.Values(frame);
        var air = Array.FindIndex(values, v => v - 1024 < -500);
        var bone = Array.FindIndex(values, v => v - 1024 > 600);
        image.Pixels[air].ShouldBe((byte)0);
        image.Pixels[bone].ShouldBe((byte)255);
    }

    [Fact]
    public void Render_Monochrome1_InvertsSoTheLowestValueIsWhite()
    {
        var (frame, settings, image) = Render("fo-dicom/CR-MONO1-10-chest");
        settings.Windows[0].ShouldBe(new Window(550, 1024));
        var values = CorpusImages.Values(frame);
        var darkest = Array.IndexOf(values, values.Min());
        image.Pixels[darkest].ShouldBe((byte)255);
        var inverted = FrameRenderer.Render(frame, settings, new RenderOptions { Invert = true });
        inverted.Pixels[darkest].ShouldBe((byte)0);
    }

    [Fact]
    public void Render_ModalityLutSequence_MapsThroughTheLut()
    {
        var (frame, settings, image) = Render("pydicom-data/mlut_18.dcm");
        var lut = settings.ModalityLut.ShouldNotBeNull();
        lut.FirstMapped.ShouldBe(-2048);
        lut.Entries.Length.ShouldBe(4096);
        // No window in the file: the frame's range after the LUT is stretched over 0..255, so order is kept.
        var values = CorpusImages.Values(frame);
        var (low, high) = (Array.IndexOf(values, values.Min()), Array.IndexOf(values, values.Max()));
        image.Pixels[low].ShouldBeLessThanOrEqualTo(image.Pixels[high]);
        var (min, max) = FrameRenderer.Range(frame, settings);
        min.ShouldBe(lut.Entries.Where((_, i) => values.Contains(i + lut.FirstMapped)).Min());
        max.ShouldBeGreaterThan(min);
    }

    [Fact]
    public void Render_VoiLutSequence_MapsStoredValuesThroughTheVoiLut()
    {
        var (frame, settings, image) = Render("pydicom-data/vlut_04.dcm");
        var lut = settings.VoiLuts.ShouldHaveSingleItem();
        lut.Entries.Length.ShouldBe(256);
        var values = CorpusImages.Values(frame);
        for (var i = 0; i < values.Length; i += 1009)
            ((int)image.Pixels[i]).ShouldBe((int)Math.Round(lut.Map(values[i]) / (double)lut.MaxOutput * 255), $"pixel {i}");
    }

    [Fact]
    public void Render_PaletteColor_LooksUpEachIndex()
    {
        var (frame, settings, image) = Render("pydicom-data/OBXXXX1A.dcm");
        var palette = settings.Palette.ShouldNotBeNull();
        image.Bands.ShouldBe(3);
        for (var i = 0; i < frame.Layout.Pixels; i += 4999)
        {
            var index = frame.Data[i];
            image.Pixels[i * 3].ShouldBe((byte)(palette.Red.Map(index) >> 8));
            image.Pixels[i * 3 + 2].ShouldBe((byte)(palette.Blue.Map(index) >> 8));
        }
    }

    [Fact]
    public void Render_YbrFull_MatchesTheRgbOriginal()
    {
        var (_, _, ybr) = Render("pydicom-data/SC_ybr_full_uncompressed.dcm");
        var (_, _, rgb) = Render("pydicom-data/SC_rgb.dcm");
        // The file's YBR values were rounded loosely when it was made: (128,128,255) is stored as (141,189,119),
        // which PS3.3's equations take back to (128,126,249). Six levels is the file's own error, not ours.
        ybr.Pixels.Zip(rgb.Pixels, (a, b) => Math.Abs(a - b)).Max().ShouldBeLessThanOrEqualTo(6);
        ybr.Pixels.Zip(rgb.Pixels, (a, b) => Math.Abs(a - b)).Average().ShouldBeLessThan(1.0);
    }

    [Fact]
    public void Display_EnhancedMultiframe_ReadsEachFramesOwnWindowAndRescale()
    {
        var pixels = CorpusImages.Open("orthanc-tests/MultiframeWindowing.dcm");
        var first = pixels.Display(0);
        first.Windows.ShouldHaveSingleItem().ShouldBe(new Window(16, 128));
        var others = Enumerable.Range(1, pixels.FrameCount - 1).Select(pixels.Display).ToList();
        others.Select(s => (s.RescaleSlope, s.RescaleIntercept)).Distinct().Count().ShouldBeGreaterThan(1);
    }
}
