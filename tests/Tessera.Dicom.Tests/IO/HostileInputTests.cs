using Shouldly;
using Tessera.Dicom.IO;

namespace Tessera.Dicom.Tests.IO;

/// <summary>Truncated, hostile and corrupted input ends in a DicomException: no crash, no hang, bounded memory.</summary>
public sealed class HostileInputTests
{
    private const string ThreeGigabytes = "dcm4che/3gb-bulk-data-truncated";
    private const string DeeplyNested = "orthanc-tests/2026-05-06-Deeply-Nested-Sequence.dcm";

    [Fact]
    public void ReadFile_PixelDataClaims3GbIn100Kb_FailsAtOnceAsTruncated()
    {
        var path = TestCorpus.File(ThreeGigabytes);
        var error = Should.Throw<DicomTruncatedException>(() => DicomReader.ReadFile(path));
        error.Tag.ShouldBe(DicomTags.PixelData);
        error.Message.ShouldContain("3 GiB expected");
    }

    [Fact]
    public void Read_PixelDataClaims3GbFromANetworkStream_RefusedWithoutAllocatingIt()
    {
        using var stream = new NonSeekableStream(File.OpenRead(TestCorpus.File(ThreeGigabytes)));
        var before = GC.GetAllocatedBytesForCurrentThread();
        Should.Throw<DicomException>(() => DicomReader.Read(stream)).Message.ShouldContain("too large to load");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(8L << 20);
    }

    [Fact]
    public void Read_PixelDataClaims3GbFromANetworkStreamDroppingBulkData_FailsAsTruncatedInFlatMemory()
    {
        using var stream = new NonSeekableStream(File.OpenRead(TestCorpus.File(ThreeGigabytes)));
        var before = GC.GetAllocatedBytesForCurrentThread();
        var options = new DicomReadOptions { BulkDataThreshold = 64 * 1024, DropBulkData = true };
        Should.Throw<DicomTruncatedException>(() => DicomReader.Read(stream, options)).Tag.ShouldBe(DicomTags.PixelData);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(8L << 20);
    }

    [Fact]
    public void ReadFile_HeadersOf3GbClaim_ReadWithoutTouchingPixelData()
    {
        var file = DicomReader.ReadFile(TestCorpus.File(ThreeGigabytes), DicomReadOptions.Headers);
        file.Stopped.ShouldBeTrue();
        file.Dataset.GetString(DicomTags.SopInstanceUid).ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void ReadFile_DeeplyNestedSequences_RefusedWithReason()
    {
        var path = TestCorpus.File(DeeplyNested);
        var error = Should.Throw<DicomException>(() => DicomReader.ReadFile(path));
        error.Message.ShouldContain("nest deeper than 64");
    }

    [Fact]
    public void Read_BulkDataBeyondThresholdFromNetworkStream_DroppedWithLengthKept()
    {
        var path = TestCorpus.File("pydicom-data/MR2_UNCR.dcm");
        using var stream = new NonSeekableStream(File.OpenRead(path));
        var file = DicomReader.Read(stream, new DicomReadOptions { BulkDataThreshold = 1024, DropBulkData = true });
        var pixels = file.Dataset[DicomTags.PixelData].ShouldBeOfType<DicomValueElement>();
        pixels.IsLoaded.ShouldBeFalse();
        pixels.Length.ShouldBeGreaterThan(1024);
        Should.Throw<DicomException>(() => pixels.Bytes);
    }

    [Fact]
    public void ReadFile_BulkDataBeyondThreshold_LoadedFromTheFileOnDemand()
    {
        var path = TestCorpus.File("pydicom-data/MR2_UNCR.dcm");
        var whole = DicomReader.ReadFile(path);
        var lazy = DicomReader.ReadFile(path, new DicomReadOptions { BulkDataThreshold = 1024 });
        var pixels = lazy.Dataset[DicomTags.PixelData].ShouldBeOfType<DicomValueElement>();
        pixels.IsLoaded.ShouldBeFalse();
        pixels.Bytes.ToArray().ShouldBe(((DicomValueElement)whole.Dataset[DicomTags.PixelData]!).Bytes.ToArray());
    }

    [Theory]
    [InlineData("pydicom-data/MR2_UNCR.dcm")]
    [InlineData("pydicom-data/liver_deflate.dcm")]
    [InlineData("pydicom-data/emri_small_big_endian.dcm")]
    [InlineData("highdicom/sm_image_jpegls.dcm")]
    [InlineData("orthanc-tests/Encodings/DavidClunie/SCSH32")]
    [InlineData("highdicom/sr_document.dcm")]
    public void Read_EveryTruncation_ReadsOrFailsWithDicomException(string relative)
    {
        var bytes = File.ReadAllBytes(TestCorpus.File(relative));
        var step = Math.Max(1, bytes.Length / 300);
        for (var cut = 0; cut < bytes.Length; cut += step)
        {
            using var stream = new MemoryStream(bytes, 0, cut, writable: false);
            try
            {
                DicomReader.Read(stream);
            }
            catch (DicomException)
            {
                // the only acceptable failure
            }
        }
    }

    [Theory]
    [InlineData("pydicom-data/MR2_UNCR.dcm", 1)]
    [InlineData("highdicom/sr_document.dcm", 2)]
    [InlineData("orthanc-tests/PrivateMDNTags.dcm", 3)]
    [InlineData("pydicom-data/liver_deflate.dcm", 4)]
    public void Read_CorruptedBytes_ReadsOrFailsWithDicomException(string relative, int seed)
    {
        var original = File.ReadAllBytes(TestCorpus.File(relative));
        var random = new Random(seed);
        for (var round = 0; round < 200; round++)
        {
            var bytes = (byte[])original.Clone();
            var headerEnd = Math.Min(bytes.Length, 4096);
            for (var flips = 0; flips < 4; flips++)
                bytes[random.Next(128, headerEnd)] = (byte)random.Next(256);
            try
            {
                DicomReader.Read(new MemoryStream(bytes, writable: false));
            }
            catch (DicomException)
            {
                // the only acceptable failure
            }
            catch (InvalidDataException)
            {
                // a corrupted deflate stream, reported by System.IO.Compression
                relative.ShouldContain("deflate");
            }
        }
    }
}
