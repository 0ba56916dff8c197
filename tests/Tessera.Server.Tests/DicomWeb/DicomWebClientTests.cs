using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Tests.Corpus;
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

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
