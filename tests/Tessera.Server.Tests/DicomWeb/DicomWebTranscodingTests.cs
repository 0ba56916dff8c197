using System.Net;
using Shouldly;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging.Pixels;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>
/// WADO-RS in Explicit VR Little Endian of every stored transfer syntax of the corpus: instances and frames decoded by
/// the server and checked against our decoder's output on the original, and against dcmtk's decompressors where
/// they read the syntax; the re-encoded file is read by dcmtk too.
/// </summary>
public sealed class DicomWebTranscodingTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Uncompressed = "multipart/related; type=\"application/dicom\"";
    private const string OctetStream = "multipart/related; type=\"application/octet-stream\"";
    private static readonly DicomReadOptions LikeTheServer = new() { BulkDataThreshold = 4096 };

    /// <summary>A file of each stored syntax (several for colour models, bit depths, icons, 1-bit and multi-frame data), and the dcmtk tool that decompresses it, if any.</summary>
    public static TheoryData<string, string?> Files => new()
    {
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm", "dcmdjpeg" },
        { "fo-dicom/JPEGwithIcon.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.51.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.57.dcm", "dcmdjpeg" },
        { "dcm4che/CT-JPEGLosslessSV1.dcm", "dcmdjpeg" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm", "dcmdjpls" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.81.dcm", "dcmdjpls" },
        { "pydicom-data/JLSN_RGB_ILV0.dcm", "dcmdjpls" },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm", null },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.91.dcm", null },
        { "pydicom-data/US1_J2KR.dcm", null },
        { "pydicom-data/RG3_J2KI.dcm", null },
        { "pydicom-data/emri_small_jpeg_2k_lossless.dcm", null },
        { "pydicom-data/HTJ2KLossless_08_RGB.dcm", null },
        { "pydicom-data/HTJ2K_08_RGB.dcm", null },
        { "dcm4che/YBR_FULL-RLE.dcm", "dcmdrle" },
        { "dcm4che/US-PAL-8-10x-echo", "dcmdrle" },
        { "pydicom-data/emri_small_RLE.dcm", "dcmdrle" },
        { "pydicom-data/liver_rle.dcm", null },
        { "pydicom-data/liver_nonbyte_aligned_j2k.dcm", null },
        { "pydicom-data/liver_deflate.dcm", null },
        { "dcm4che/will-jxl.dcm", null },
        { "orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.1.99.dcm", "dcmconv" },
        { "pydicom-data/SC_rgb_expb_32bit_2frame.dcm", "dcmconv" },
        { "pydicom-data/OBXXXX1A_expb_2frame.dcm", "dcmconv" },
        { "dcm4che/testdata-series/MR01.dcm", "dcmconv" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Retrieve_DefaultMediaTypes_ExplicitLittleEndianWithTheDecodedPixels(string relative, string? dcmtk)
    {
        var path = TestCorpus.File(relative);
        var (http, url, original) = await StoreAsync(path);
        var ours = DicomPixelData.Open(original);

        // The instance: one part, Explicit VR Little Endian, native pixel data described by its Image Pixel module.
        var parts = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url, Uncompressed)).ShouldHaveStatus(HttpStatusCode.OK));
        parts.Single().ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        var work = Directory.CreateTempSubdirectory("tessera-transcode-");
        try
        {
            var transcodedPath = Path.Combine(work.FullName, "transcoded.dcm");
            await File.WriteAllBytesAsync(transcodedPath, parts[0].Bytes);
            var transcoded = DicomReader.ReadFile(transcodedPath, LikeTheServer);
            transcoded.Syntax.ShouldBe(TransferSyntax.ExplicitVrLittleEndian);
            transcoded.Meta.GetString(DicomTags.TransferSyntaxUid).ShouldBe(TransferSyntax.ExplicitVrLittleEndian.Uid);
            transcoded.Meta.GetString(DicomTags.ImplementationClassUid).ShouldBe(DicomWriter.ImplementationClassUid);
            transcoded.SopInstanceUid.ShouldBe(original.SopInstanceUid);
            var dataset = transcoded.Dataset;
            var pixelData = dataset[DicomTags.PixelData].ShouldBeOfType<DicomValueElement>();
            var bits = (int)dataset.GetInteger(DicomTags.BitsAllocated)!;
            if (bits > 8 || original.Syntax.Encapsulated)
                pixelData.Vr.ShouldBe(bits > 8 ? DicomVr.OW : DicomVr.OB); // native 8-bit data may be OW too, and keeps its VR
            (pixelData.Length % 2).ShouldBe(0);
            dataset.Contains(DicomTags.ExtendedOffsetTable).ShouldBeFalse();
            dataset.GetString(DicomTags.PhotometricInterpretation).ShouldBeOneOf("MONOCHROME1", "MONOCHROME2", "RGB", "YBR_FULL", "PALETTE COLOR");
            if (dataset.GetInteger(DicomTags.SamplesPerPixel) == 3)
                dataset.GetInteger(DicomTags.PlanarConfiguration).ShouldBe(0);
            if (LossyCompression.MethodOf(original.Syntax.Uid) is not null)
                dataset.GetString(DicomTags.LossyImageCompression).ShouldBe("01");
            if (original.Dataset.Contains(DicomTags.IconImageSequence))
                dataset.GetSequence(DicomTags.IconImageSequence)!.Items.Single()[DicomTags.PixelData].ShouldBeOfType<DicomValueElement>();

            var theirs = DicomPixelData.Open(transcoded);
            theirs.FrameCount.ShouldBe(ours.FrameCount);
            foreach (var frame in Sample(ours.FrameCount))
                ShouldMatch(theirs.DecodeFrame(frame), ours.DecodeFrame(frame), lossy: false, $"{relative} frame {frame + 1}, against our decoder");

            if (dcmtk is not null)
            {
                // dcmtk reads what we wrote, and its own decompression of the original agrees with ours.
                var (exit, output) = await Dcmtk.RunAsync("dcmconv", transcodedPath, Path.Combine(work.FullName, "reread.dcm"));
                exit.ShouldBe(0, output);
                var reference = Path.Combine(work.FullName, "reference.dcm");
                (await Dcmtk.RunAsync(dcmtk, dcmtk == "dcmdjpeg" ? ["+cg", path, reference] : [path, reference])).ExitCode.ShouldBe(0);
                var dcmtkPixels = DicomPixelData.Open(DicomReader.ReadFile(reference, LikeTheServer));
                foreach (var frame in Sample(ours.FrameCount))
                    ShouldMatch(theirs.DecodeFrame(frame), dcmtkPixels.DecodeFrame(frame), LossyCompression.MethodOf(original.Syntax.Uid) is not null, $"{relative} frame {frame + 1}, against {dcmtk}");
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        // Frames as dicomweb-client asks for them by default: native, little endian, each alone.
        var numbers = Sample(ours.FrameCount).Select(f => f + 1).ToList();
        var frames = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get($"{url}/frames/{string.Join(',', numbers)}", OctetStream))
            .ShouldHaveStatus(HttpStatusCode.OK));
        frames.Count.ShouldBe(numbers.Count);
        for (var i = 0; i < numbers.Count; i++)
        {
            frames[i].ContentType.ShouldBe("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
            var decoded = ours.DecodeFrame(numbers[i] - 1);
            frames[i].Bytes.ShouldBe(NativePixels.Of(ours.Layout, decoded.Layout, 1).Bytes(decoded), $"{relative} frame {numbers[i]}");
        }
    }

    [Fact]
    public async Task Retrieve_DeflatedStructuredReport_ReencodedWithTheSameDataset()
    {
        var path = TestCorpus.File("dcm4che/report_dfl");
        var original = DicomReader.ReadFile(path);
        var (http, url, _) = await StoreAsync(path);

        var part = (await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url, Uncompressed)).ShouldHaveStatus(HttpStatusCode.OK))).Single();

        part.ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        var transcoded = DicomReader.Read(new MemoryStream(part.Bytes));
        transcoded.Syntax.ShouldBe(TransferSyntax.ExplicitVrLittleEndian);
        DatasetComparer.ShouldEqual(transcoded.Dataset, original.Dataset);
        // As stored on request, byte for byte.
        var stored = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url, Uncompressed + "; transfer-syntax=*")));
        stored.Single().Bytes.ShouldBe(await File.ReadAllBytesAsync(path));
        stored.Single().ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1.99");
    }

    [Fact]
    public async Task Retrieve_Negotiation_WeightsStoredFormsAndSinglePartsAsPs318Says()
    {
        var jpegPath = TestCorpus.File("dcm4che/CT-JPEGLosslessSV1.dcm");
        var (http, url, original) = await StoreAsync(jpegPath);
        var stored = await File.ReadAllBytesAsync(jpegPath);
        async Task<HttpResponseMessage> Get(string path, string accept) => await http.SendAsync(Multipart.Get(path, accept));

        // Equal weights: the stored form wins; a heavier weight wins over it.
        var both = await Multipart.ReadAsync(await Get(url, $"{Uncompressed}; transfer-syntax=1.2.840.10008.1.2.1, {Uncompressed}; transfer-syntax=1.2.840.10008.1.2.4.70"));
        both.Single().Bytes.ShouldBe(stored);
        var weighted = await Multipart.ReadAsync(await Get(url, $"{Uncompressed}; transfer-syntax=*; q=0.5, {Uncompressed}; transfer-syntax=1.2.840.10008.1.2.1"));
        weighted.Single().ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        // No Accept (taken as */*): the default, Explicit VR Little Endian.
        var plain = await Multipart.ReadAsync(await http.GetAsync(url).ShouldHaveStatus(HttpStatusCode.OK));
        plain.Single().ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        // A single instance may come as a single part.
        var single = await Get(url, "application/dicom");
        single.StatusCode.ShouldBe(HttpStatusCode.OK);
        single.Content.Headers.ContentType!.ToString().ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        DicomReader.Read(new MemoryStream(await single.Content.ReadAsByteArrayAsync())).Syntax.ShouldBe(TransferSyntax.ExplicitVrLittleEndian);
        // Nothing acceptable: 406 naming what can be had; q=0 rules a form out.
        var refused = await (await Get(url, $"{Uncompressed}; transfer-syntax=1.2.840.10008.1.2.4.90").ShouldHaveStatus(HttpStatusCode.NotAcceptable)).ReadProblem();
        refused.GetProperty("detail").GetString()!.ShouldContain("transfer-syntax=1.2.840.10008.1.2.1");
        await Get(url, $"{Uncompressed}; transfer-syntax=*; q=0").ShouldHaveStatus(HttpStatusCode.NotAcceptable);

        // Frames: as stored for their own media type (with its default syntax, or *), decoded for octet-stream; one frame may be single part.
        var jpegFrame = await Multipart.ReadAsync(await Get(url + "/frames/1", "multipart/related; type=\"image/jpeg\"").ShouldHaveStatus(HttpStatusCode.OK));
        jpegFrame.Single().ContentType.ShouldBe("image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.70");
        var preferred = await Multipart.ReadAsync(await Get(url + "/frames/1", $"{OctetStream}; q=0.9, multipart/related; type=\"image/jpeg\"; q=0.8"));
        preferred.Single().ContentType.ShouldBe("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
        var raw = await Get(url + "/frames/1", "application/octet-stream").ShouldHaveStatus(HttpStatusCode.OK);
        raw.Content.Headers.ContentType!.ToString().ShouldBe("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
        var rawBytes = await raw.Content.ReadAsByteArrayAsync();
        rawBytes.ShouldBe(DicomPixelData.Open(original).DecodeFrame(0).Data);
        await Get(url + "/frames/1", "multipart/related; type=\"image/jp2\"").ShouldHaveStatus(HttpStatusCode.NotAcceptable);
        // The whole pixel data by its bulk data URI: decoded too.
        var bulk = await Multipart.ReadAsync(await Get(url + "/bulk/7FE00010", OctetStream).ShouldHaveStatus(HttpStatusCode.OK));
        bulk.Single().Bytes.ShouldBe(rawBytes);
    }

    [Fact]
    public async Task Retrieve_Series_MixesStoredAndDecodedParts_OneAtATime()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var http = server.Http(owner);
        var study = TestDicom.NewUid();
        var series = TestDicom.NewUid();
        // A series of an uncompressed instance and a JPEG 2000 one (the same study and series, UIDs of our own).
        var native = TestDicom.Create(study, series, TestDicom.NewUid(), instanceNumber: "1");
        var j2k = DicomReader.ReadFile(TestCorpus.File("orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm"));
        j2k.Dataset.SetString(DicomTags.StudyInstanceUid, study);
        j2k.Dataset.SetString(DicomTags.SeriesInstanceUid, series);
        j2k.Dataset.SetString(DicomTags.PatientId, "P1");
        using var buffer = new MemoryStream();
        DicomWriter.WriteFile(buffer, j2k);
        (await http.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom([native, buffer.ToArray()]))).StatusCode.ShouldBe(HttpStatusCode.OK);

        var parts = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get($"dicom-web/projects/{project}/studies/{study}/series/{series}", Uncompressed))
            .ShouldHaveStatus(HttpStatusCode.OK));

        parts.Count.ShouldBe(2);
        parts.ShouldAllBe(p => p.ContentType == "application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        parts.ShouldContain(p => p.Bytes.SequenceEqual(native));
        var decoded = parts.Single(p => !p.Bytes.SequenceEqual(native));
        DicomReader.Read(new MemoryStream(decoded.Bytes)).Dataset[DicomTags.PixelData].ShouldBeOfType<DicomValueElement>();
    }

    [Fact]
    public async Task Retrieve_HostileHeaders_RefusedWithAStatusBeforeAnythingIsSent_AsStoredStillServed()
    {
        var path = TestCorpus.File("dcm4che/CT-JPEGLosslessSV1.dcm");
        // A frame larger than Imaging:MaxDecodedPixels. (More frames declared than the pixel data holds is refused
        // when stored: Import_MoreFramesDeclaredThanThePixelDataHolds_RejectedWithTheReason.)
        var (sizeHttp, sizeUrl) = await StoreVariantAsync(path, d => { d.SetUInt16(DicomTags.Rows, 10000); d.SetUInt16(DicomTags.Columns, 10000); });

        var tooLarge = await (await sizeHttp.SendAsync(Multipart.Get(sizeUrl, Uncompressed)).ShouldHaveStatus(HttpStatusCode.NotAcceptable)).ReadProblem();
        tooLarge.GetProperty("detail").GetString()!.ShouldContain("MaxDecodedPixels");
        (await sizeHttp.SendAsync(Multipart.Get(sizeUrl + "/frames/1", OctetStream))).StatusCode.ShouldBe(HttpStatusCode.NotAcceptable);
        (await sizeHttp.SendAsync(Multipart.Get(sizeUrl + "/rendered", "image/jpeg"))).StatusCode.ShouldBe(HttpStatusCode.NotAcceptable);
        (await sizeHttp.SendAsync(Multipart.Get(sizeUrl, Uncompressed + "; transfer-syntax=*"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<(HttpClient Http, string Url)> StoreVariantAsync(string path, Action<DicomDataset> change)
    {
        var file = DicomReader.ReadFile(path);
        change(file.Dataset);
        file.Dataset.SetString(DicomTags.SopInstanceUid, TestDicom.NewUid());
        file.Meta.Remove(DicomTags.MediaStorageSopInstanceUid);
        var work = Path.Combine(Path.GetTempPath(), "tessera-variant-" + Guid.NewGuid().ToString("N") + ".dcm");
        try
        {
            await using (var output = File.Create(work))
                DicomWriter.WriteFile(output, file);
            var (http, url, _) = await StoreAsync(work);
            return (http, url);
        }
        finally
        {
            File.Delete(work);
        }
    }

    /// <summary>
    /// Stores a corpus file in a project of its own; files that lack a study, series or instance UID (some of pydicom's
    /// codec samples) get ones of our own first. Returns the stored object, read as the server reads it.
    /// </summary>
    private async Task<(HttpClient Http, string Url, DicomFile Stored)> StoreAsync(string path)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        var file = DicomReader.Read(new MemoryStream(bytes));
        var missing = new[] { DicomTags.StudyInstanceUid, DicomTags.SeriesInstanceUid, DicomTags.SopInstanceUid }
            .Where(t => string.IsNullOrEmpty(file.Dataset.GetString(t))).ToList();
        if (missing.Count > 0)
        {
            foreach (var tag in missing)
                file.Dataset.SetString(tag, TestDicom.NewUid());
            file.Meta.Remove(DicomTags.MediaStorageSopInstanceUid);
            using var patched = new MemoryStream();
            DicomWriter.WriteFile(patched, file);
            bytes = patched.ToArray();
        }
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var http = server.Http(owner);
        await http.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom([bytes])).ShouldHaveStatus(HttpStatusCode.OK);
        var dataset = file.Dataset;
        var url = $"dicom-web/projects/{project}/studies/{dataset.GetString(DicomTags.StudyInstanceUid)}/series/{dataset.GetString(DicomTags.SeriesInstanceUid)}/instances/{dataset.GetString(DicomTags.SopInstanceUid)}";
        return (http, url, DicomReader.Read(new MemoryStream(bytes)));
    }

    /// <summary>All frames of a short object; the first, a middle one and the last of a long one.</summary>
    private static List<int> Sample(int frames) => frames <= 4 ? Enumerable.Range(0, frames).ToList() : [0, frames / 2, frames - 1];

    /// <summary>Same geometry and colour model, same stored values (lossy 12-bit JPEG: dcmtk's integer IDCT within one level).</summary>
    private static void ShouldMatch(PixelFrame actual, PixelFrame expected, bool lossy, string because)
    {
        actual.Width.ShouldBe(expected.Width, because);
        actual.Height.ShouldBe(expected.Height, because);
        actual.Layout.SamplesPerPixel.ShouldBe(expected.Layout.SamplesPerPixel, because);
        var count = actual.Layout.Pixels * actual.Layout.SamplesPerPixel;
        var tolerance = lossy && expected.Layout.EffectiveBitsStored > 8 ? 1 : 0;
        var worst = 0.0;
        for (var i = 0; i < count; i++)
            worst = Math.Max(worst, Math.Abs(StoredValues.Read(actual, i) - StoredValues.Read(expected, i)));
        worst.ShouldBeLessThanOrEqualTo(tolerance, because);
    }
}
