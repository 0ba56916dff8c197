using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Dicom;
using Tessera.Server.Imaging;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>The npm dicomweb-client (under Node, with xhr2) against Tessera: store, search, metadata, bulk data, retrieve, frames.</summary>
public sealed class DicomWebClientTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public async Task DicomwebClient_StoresSearchesAndRetrieves()
    {
        NodeClients.RequireInstalled();
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var nativePath = TestCorpus.File("dcm4che/NM-MONO2-16-13x-heart");
        var jpegPath = TestCorpus.File("dcm4che/CT-JPEGLosslessSV1.dcm");
        var native = DicomReader.ReadFile(nativePath).Dataset;
        var jpeg = DicomReader.ReadFile(jpegPath, DicomReadOptions.Headers).Dataset;
        var pixels = ((DicomValueElement)native[DicomTags.PixelData]!).Bytes.ToArray();
        var frameSize = pixels.Length / 13;
        var config = new JsonObject
        {
            ["url"] = $"{server.BaseAddress}dicom-web/projects/{project}",
            ["username"] = owner,
            ["password"] = TestServer.PasswordOf(owner),
            ["files"] = new JsonArray(nativePath, jpegPath),
            ["studyQuery"] = new JsonObject { ["PatientName"] = "anonym*", ["ModalitiesInStudy"] = native.GetString(DicomTags.Modality) },
            ["study"] = native.GetString(DicomTags.StudyInstanceUid),
            ["series"] = native.GetString(DicomTags.SeriesInstanceUid),
            ["native"] = new JsonObject { ["sop"] = native.GetString(DicomTags.SopInstanceUid) },
            ["jpeg"] = new JsonObject
            {
                ["study"] = jpeg.GetString(DicomTags.StudyInstanceUid),
                ["series"] = jpeg.GetString(DicomTags.SeriesInstanceUid),
                ["sop"] = jpeg.GetString(DicomTags.SopInstanceUid),
            },
        };

        var output = await NodeClients.RunAsync("dicomweb-client.mjs", config.ToJsonString());

        var result = JsonDocument.Parse(output).RootElement;
        result.GetProperty("stored").GetInt32().ShouldBe(2);
        result.GetProperty("studies").EnumerateArray().Select(s => s.GetString()).ShouldBe([native.GetString(DicomTags.StudyInstanceUid)]);
        result.GetProperty("series").EnumerateArray().Select(s => s.GetString()).ShouldBe([native.GetString(DicomTags.SeriesInstanceUid)]);
        result.GetProperty("instances").EnumerateArray().Select(s => s.GetString()).ShouldBe([native.GetString(DicomTags.SopInstanceUid)]);
        result.GetProperty("metadata").GetInt32().ShouldBe(1);
        result.GetProperty("bulkDataUri").GetString()!.ShouldEndWith("/bulk/7FE00010");
        result.GetProperty("bulkSha256").GetString().ShouldBe(Sha256(pixels));
        result.GetProperty("instanceSha256").GetString().ShouldBe(Sha256(File.ReadAllBytes(nativePath)));
        result.GetProperty("frameSha256").GetString().ShouldBe(Sha256(pixels[frameSize..(2 * frameSize)]));
        result.GetProperty("jpegFrameStart").GetString().ShouldBe("ffd8");
    }

    [Fact]
    public async Task DicomwebClient_DefaultMediaTypes_GetsCompressedInstancesUncompressed_AndRenderings()
    {
        NodeClients.RequireInstalled();
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        // JPEG 2000, lossy JPEG in YBR_FULL_422 with an icon, and a multi-frame RLE palette instance.
        string[] relatives = ["orthanc-tests/TransferSyntaxes/1.2.840.10008.1.2.4.90.dcm", "fo-dicom/JPEGwithIcon.dcm", "dcm4che/US-PAL-8-10x-echo"];
        var files = relatives.Select(TestCorpus.File).ToList();
        using (var http = server.Http(owner))
            (await http.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom(files.Select(File.ReadAllBytes)))).EnsureSuccessStatusCode();
        var originals = files.Select(f => DicomReader.ReadFile(f, new DicomReadOptions { BulkDataThreshold = 4096 })).ToList();
        var output = Directory.CreateTempSubdirectory("tessera-dicomweb-client-");
        try
        {
            var instances = new JsonArray();
            foreach (var original in originals)
            {
                var d = original.Dataset;
                var frames = (int)(d.GetInteger(DicomTags.NumberOfFrames) ?? 1);
                instances.Add(new JsonObject
                {
                    ["study"] = d.GetString(DicomTags.StudyInstanceUid),
                    ["series"] = d.GetString(DicomTags.SeriesInstanceUid),
                    ["sop"] = original.SopInstanceUid,
                    ["frames"] = frames > 1 ? new JsonArray(1, frames) : new JsonArray(1),
                });
            }
            var config = new JsonObject
            {
                ["url"] = $"{server.BaseAddress}dicom-web/projects/{project}",
                ["username"] = owner,
                ["password"] = TestServer.PasswordOf(owner),
                ["out"] = output.FullName,
                ["instances"] = instances,
            };

            await NodeClients.RunAsync("dicomweb-client-transcode.mjs", config.ToJsonString());

            foreach (var original in originals)
            {
                var sop = original.SopInstanceUid!;
                string At(string suffix) => Path.Combine(output.FullName, sop + suffix);
                var ours = DicomPixelData.Open(original);
                // Frames: native, little endian, as our decoder gives them.
                var numbers = ours.FrameCount > 1 ? new[] { 1, ours.FrameCount } : [1];
                foreach (var number in numbers)
                {
                    var decoded = ours.DecodeFrame(number - 1);
                    (await File.ReadAllBytesAsync(At($".frame{number}.raw"))).ShouldBe(NativePixels.Of(ours.Layout, decoded.Layout, 1).Bytes(decoded), $"{sop} frame {number}");
                }
                // The instance: Explicit VR Little Endian, the same pixels decoded.
                var instance = DicomReader.ReadFile(At(".dcm"), new DicomReadOptions { BulkDataThreshold = 4096 });
                instance.Syntax.ShouldBe(TransferSyntax.ExplicitVrLittleEndian);
                DicomPixelData.Open(instance).DecodeFrame(0).Data.ShouldBe(ours.DecodeFrame(0).Data);
                // Renderings: JPEG by default (the first frame, the thumbnail within 256), PNG in the viewport when asked.
                foreach (var rendered in new[] { ".rendered", ".thumbnail", ".frame-rendered" })
                    (await File.ReadAllBytesAsync(At(rendered)))[..2].ShouldBe(new byte[] { 0xFF, 0xD8 }, rendered);
                Tessera.Imaging.Sources.RasterHeader.Size(await File.ReadAllBytesAsync(At(".rendered")))
                    .ShouldBe(((int)original.Dataset.GetInteger(DicomTags.Columns)!, (int)original.Dataset.GetInteger(DicomTags.Rows)!));
                var thumbnail = Tessera.Imaging.Sources.RasterHeader.Size(await File.ReadAllBytesAsync(At(".thumbnail")))!.Value;
                Math.Max(thumbnail.Width, thumbnail.Height).ShouldBeLessThanOrEqualTo(256);
                var png = Tessera.Imaging.Encoding.PngDecoder.Decode(File.OpenRead(At(".viewport.png")));
                Math.Max(png.Width, png.Height).ShouldBe(64);
            }
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
