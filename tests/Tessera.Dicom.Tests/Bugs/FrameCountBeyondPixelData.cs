using Shouldly;

namespace Tessera.Dicom.Tests.Bugs;

/// <summary>
/// A 4 KB file declaring Rows = Columns = 65535, Bits Allocated = 4096 and 21,000,000 frames: the frame-size check
/// multiplied the declared count by the frame size, the product overflowed to a negative number and passed, and a list
/// of 21 million frames was built (2 GB of memory from one WADO request). Likewise a declared count sized lists of
/// planes and rendered frames. The count must fit the pixel data before anything is sized by it.
/// </summary>
public sealed class FrameCountBeyondPixelData
{
    private static DicomDataset Native(ushort rows, ushort columns, ushort bits, long frames, int pixelBytes)
    {
        var dataset = new DicomDataset();
        dataset.SetUInt16(DicomTags.Rows, rows);
        dataset.SetUInt16(DicomTags.Columns, columns);
        dataset.SetUInt16(DicomTags.SamplesPerPixel, 1);
        dataset.SetUInt16(DicomTags.BitsAllocated, bits);
        dataset.SetString(DicomTags.NumberOfFrames, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        dataset.Set(new DicomValueElement(DicomTags.PixelData, DicomVr.OW, new byte[pixelBytes]));
        return dataset;
    }

    [Fact]
    public void Native_OverflowingFrameSize_IsRefused_NotLocated()
    {
        var dataset = Native(65535, 65535, 4096, 21_000_000, 4096);

        PixelDataFrames.CheckFrameCount(dataset).ShouldNotBeNull().ShouldContain("out of range");
        Should.Throw<DicomException>(() => PixelDataFrames.Locate(dataset, TransferSyntax.ExplicitVrLittleEndian));
    }

    [Fact]
    public void Native_MoreFramesThanTheBytesHold_IsRefused()
    {
        var dataset = Native(16, 16, 8, 2_000_000, 256);

        PixelDataFrames.CheckFrameCount(dataset).ShouldNotBeNull().ShouldContain("more than the pixel data's 256 bytes can hold");
        Should.Throw<DicomException>(() => PixelDataFrames.Locate(dataset, TransferSyntax.ExplicitVrLittleEndian));
    }

    [Fact]
    public void Native_AsManyFramesAsTheBytesHold_IsFine()
    {
        var dataset = Native(16, 16, 8, 4, 1024);

        PixelDataFrames.CheckFrameCount(dataset).ShouldBeNull();
        PixelDataFrames.Locate(dataset, TransferSyntax.ExplicitVrLittleEndian).Count.ShouldBe(4);
    }

    [Fact]
    public void Encapsulated_MoreFramesThanFragments_IsRefused_BeforeAnyListIsSized()
    {
        var dataset = new DicomDataset();
        dataset.SetUInt16(DicomTags.Rows, 16);
        dataset.SetUInt16(DicomTags.Columns, 16);
        dataset.SetString(DicomTags.NumberOfFrames, "500000000");
        var fragments = new DicomFragments(DicomTags.PixelData, DicomVr.OB);
        fragments.Fragments.Add(new DicomFragment(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }));
        fragments.Fragments.Add(new DicomFragment(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }));
        dataset.Set(fragments);

        PixelDataFrames.CheckFrameCount(dataset).ShouldNotBeNull().ShouldContain("2 fragments");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Should.Throw<DicomException>(() => PixelDataFrames.Locate(dataset, TransferSyntax.JpegBaseline));
        System.Diagnostics.Stopwatch.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(1));
    }
}
