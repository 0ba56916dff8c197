using System.Net;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>STOW-RS, QIDO-RS and WADO-RS at /dicom-web with files of the corpus.</summary>
public sealed class DicomWebApiTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Series = "dcm4che/testdata-series";
    private const string MultiFrame = "dcm4che/NM-MONO2-16-13x-heart";
    private const string Jpeg = "dcm4che/CT-JPEGLosslessSV1.dcm";
    private const string Rle = "dcm4che/US-PAL-8-10x-echo";

    private static List<string> SeriesFiles() => Directory.GetFiles(TestCorpus.File(Series)).Order(StringComparer.Ordinal).ToList();

    private static DicomDataset Header(string path) => DicomReader.ReadFile(path, DicomReadOptions.Headers).Dataset;

    private static async Task<JsonElement> StowAsync(HttpClient http, string url, IEnumerable<byte[]> instances, HttpStatusCode expected)
    {
        var response = await http.PostAsync(url, Multipart.Dicom(instances)).ShouldHaveStatus(expected);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/dicom+json");
        return await response.ReadJson<JsonElement>();
    }

    private static async Task<JsonElement> QidoAsync(HttpClient http, string url)
    {
        var response = await http.GetAsync(url).ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadJson<JsonElement>();
    }

    private static string? Text(JsonElement dataset, string tag) =>
        dataset.TryGetProperty(tag, out var element) && element.TryGetProperty("Value", out var value) ? Value(value[0]) : null;

    private static string? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => value.GetProperty("Alphabetic").GetString(),
        JsonValueKind.Number => value.GetRawText(),
        _ => value.GetString(),
    };

    private async Task<(string Project, string Owner)> ProjectWithSeriesAsync()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var answer = await StowAsync(server.Http(owner), $"dicom-web/studies?project={project}", SeriesFiles().Select(File.ReadAllBytes), HttpStatusCode.OK);
        answer.GetProperty("00081199").GetProperty("Value").GetArrayLength().ShouldBe(SeriesFiles().Count);
        return (project, owner);
    }

    [Fact]
    public async Task Stow_Series_EachInstanceReferencedWithItsRetrieveUrl_AgainIsStillSuccess()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var http = server.Http(owner);
        var files = SeriesFiles();
        var first = Header(files[0]);
        var study = first.GetString(DicomTags.StudyInstanceUid)!;

        // The owner's only project is the default target.
        var answer = await StowAsync(http, "dicom-web/studies", files.Select(File.ReadAllBytes), HttpStatusCode.OK);

        Text(answer, "00081190").ShouldBe($"{server.BaseAddress}dicom-web/studies/{study}");
        var referenced = answer.GetProperty("00081199").GetProperty("Value").EnumerateArray().ToList();
        referenced.Count.ShouldBe(files.Count);
        referenced.Select(r => Text(r, "00081155")).ShouldBe(files.Select(f => Header(f).GetString(DicomTags.SopInstanceUid)), ignoreOrder: true);
        Text(referenced[0], "00081150").ShouldBe(first.GetString(DicomTags.SopClassUid));
        Text(referenced[0], "00081190").ShouldStartWith($"{server.BaseAddress}dicom-web/studies/{study}/series/");
        answer.TryGetProperty("00081198", out _).ShouldBeFalse();

        // Sorted like an import: the study became a session of the patient's subject.
        var subjects = await (await http.GetAsync($"api/projects/{project}/subjects")).ReadJson<PageDto<SubjectDto>>();
        subjects.Items.Select(s => s.Label).ShouldBe([first.GetString(DicomTags.PatientId)!]);

        var again = await StowAsync(http, $"dicom-web/projects/{project}/studies/{study}", [File.ReadAllBytes(files[0])], HttpStatusCode.OK);
        again.GetProperty("00081199").GetProperty("Value").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Stow_BadParts_FailedWithTheStandardsReasons_GoodOnesStored()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        var jpeg = File.ReadAllBytes(TestCorpus.File(Jpeg));
        var otherStudy = Header(SeriesFiles()[0]).GetString(DicomTags.StudyInstanceUid)!;
        var truncated = File.ReadAllBytes(TestCorpus.File(Jpeg))[..2000];

        var mixed = await StowAsync(http, $"dicom-web/studies?project={project}", [jpeg, "not dicom at all"u8.ToArray(), truncated], HttpStatusCode.Accepted);
        mixed.GetProperty("00081199").GetProperty("Value").GetArrayLength().ShouldBe(1);
        var failed = mixed.GetProperty("00081198").GetProperty("Value").EnumerateArray().ToList();
        failed.Select(f => Text(f, "00081197")).ShouldBe(["49152", "49152"]); // 0xC000 cannot understand

        // Into another study's URL: refused as not matching (0xA900), nothing stored.
        var wrong = await StowAsync(http, $"dicom-web/projects/{project}/studies/{otherStudy}", [jpeg], HttpStatusCode.Conflict);
        Text(wrong.GetProperty("00081198").GetProperty("Value")[0], "00081197").ShouldBe("43264");
        Text(wrong.GetProperty("00081198").GetProperty("Value")[0], "00081155").ShouldBe(Header(TestCorpus.File(Jpeg)).GetString(DicomTags.SopInstanceUid));

        // A body that breaks off after a whole part: that part is stored, the answer says where it ended.
        var broken = new MemoryStream();
        broken.Write("--cut\r\nContent-Type: application/dicom\r\n\r\n"u8);
        broken.Write(File.ReadAllBytes(TestCorpus.File(Rle)));
        broken.Write("\r\n--cut\r\nContent-Type: application/dicom\r\n\r\nDICM"u8);
        using var cut = new ByteArrayContent(broken.ToArray());
        cut.Headers.TryAddWithoutValidation("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=cut");
        var partial = await (await http.PostAsync($"dicom-web/studies?project={project}", cut).ShouldHaveStatus(HttpStatusCode.Accepted)).ReadJson<JsonElement>();
        partial.GetProperty("00081199").GetProperty("Value").GetArrayLength().ShouldBe(1);
        Text(partial.GetProperty("00081198").GetProperty("Value").EnumerateArray().Single(), "00000902")!.ShouldContain("ends early");

        using var json = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        await http.PostAsync($"dicom-web/studies?project={project}", json).ShouldHaveStatus(HttpStatusCode.UnsupportedMediaType);
        await server.Http().PostAsync("dicom-web/studies", Multipart.Dicom([jpeg])).ShouldHaveStatus(HttpStatusCode.Unauthorized);
        var outsider = server.Http(await server.CreateUserAsync());
        await outsider.PostAsync($"dicom-web/studies?project={project}", Multipart.Dicom([jpeg])).ShouldHaveStatus(HttpStatusCode.NotFound);
        // Someone with no project of their own must name one.
        var problem = await (await outsider.PostAsync("dicom-web/studies", Multipart.Dicom([jpeg])).ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
        problem.GetProperty("detail").GetString()!.ShouldContain("no project");
    }

    [Fact]
    public async Task Stow_ConcurrentClientsOfOneStudy_ManyPartsPerRequest_IndexedOnce_RepeatIsADuplicate()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        var study = TestDicom.NewUid();
        var series = Enumerable.Range(1, 4).Select(_ => TestDicom.NewUid()).ToList();
        string Number(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Four clients at once, each sending a series of the same new study in one request of more parts than a batch.
        var requests = series.Select((uid, s) => Enumerable.Range(1, 20)
            .Select(i => TestDicom.Create(study, uid, TestDicom.NewUid(), seriesNumber: Number(s + 1), instanceNumber: Number(i))).ToList()).ToList();

        var answers = await Task.WhenAll(requests.Select(parts => StowAsync(http, $"dicom-web/studies?project={project}", parts, HttpStatusCode.OK)));

        answers.Sum(a => a.GetProperty("00081199").GetProperty("Value").GetArrayLength()).ShouldBe(80);
        var studies = await QidoAsync(http, $"dicom-web/projects/{project}/studies?includefield=00201208");
        studies.GetArrayLength().ShouldBe(1);
        Text(studies[0], "00201208").ShouldBe("80");
        var found = await QidoAsync(http, $"dicom-web/projects/{project}/studies/{study}/series?includefield=00201209");
        found.EnumerateArray().Select(s => (Text(s, "0020000E"), Text(s, "00201209"))).ShouldBe(series.Select(s => ((string?)s, (string?)"20")), ignoreOrder: true);
        var sessions = await (await http.GetAsync($"api/projects/{project}/subjects/P1/sessions")).ReadJson<PageDto<SessionDto>>();
        sessions.Items.Count.ShouldBe(1);
        var scans = await (await http.GetAsync($"api/projects/{project}/subjects/P1/sessions/{sessions.Items[0].Label}/scans")).ReadJson<PageDto<ScanDto>>();
        scans.Items.Select(s => s.Label).ShouldBe(["1", "2", "3", "4"], ignoreOrder: true);

        // The same instance twice in one request: stored once, the repeat answered as stored (a duplicate), not as a conflict.
        var extra = TestDicom.Create(study, series[0], TestDicom.NewUid(), seriesNumber: "1", instanceNumber: "21");
        var repeated = await StowAsync(http, $"dicom-web/studies?project={project}", [extra, extra], HttpStatusCode.OK);
        repeated.GetProperty("00081199").GetProperty("Value").GetArrayLength().ShouldBe(2);
        var first = await QidoAsync(http, $"dicom-web/projects/{project}/studies/{study}/series/{series[0]}/instances");
        first.GetArrayLength().ShouldBe(21);
    }

    [Fact]
    public async Task Qido_MatchesAsPs34Says_OnlyInReadableProjects()
    {
        var (project, owner) = await ProjectWithSeriesAsync();
        var http = server.Http(owner);
        var first = Header(SeriesFiles()[0]);
        var study = first.GetString(DicomTags.StudyInstanceUid)!;
        var patientId = first.GetString(DicomTags.PatientId)!;
        var name = first.GetString(DicomTags.PatientName)!;
        var date = first.GetString(DicomTags.StudyDate)!;
        var scoped = $"dicom-web/projects/{project}";

        var studies = await QidoAsync(http, $"{scoped}/studies?PatientID={Uri.EscapeDataString(patientId)}");
        studies.GetArrayLength().ShouldBe(1);
        Text(studies[0], "0020000D").ShouldBe(study);
        Text(studies[0], "00201208").ShouldBe(SeriesFiles().Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Text(studies[0], "00080061").ShouldBe(first.GetString(DicomTags.Modality));
        Text(studies[0], "00081190").ShouldBe($"{server.BaseAddress}{scoped}/studies/{study}");

        // Person names: wildcards, case-insensitive.
        (await QidoAsync(http, $"{scoped}/studies?PatientName={Uri.EscapeDataString(name[..2].ToLowerInvariant())}*")).GetArrayLength().ShouldBe(1);
        (await QidoAsync(http, $"{scoped}/studies?PatientName=Nobody*")).GetArrayLength().ShouldBe(0);
        // Other attributes match case-sensitively (PS3.4 C.2.2.2.4), on SQLite as on PostgreSQL.
        var description = first.GetString(DicomTags.StudyDescription)!;
        (await QidoAsync(http, $"{scoped}/studies?StudyDescription={Uri.EscapeDataString(description[..3])}*")).GetArrayLength().ShouldBe(1);
        (await QidoAsync(http, $"{scoped}/studies?StudyDescription={Uri.EscapeDataString(description[..3].ToLowerInvariant())}*")).GetArrayLength().ShouldBe(0);
        // Date ranges, open at either end; UID lists.
        (await QidoAsync(http, $"{scoped}/studies?StudyDate={date}-{date}")).GetArrayLength().ShouldBe(1);
        (await QidoAsync(http, $"{scoped}/studies?StudyDate=-19000101")).GetArrayLength().ShouldBe(0);
        (await QidoAsync(http, $"{scoped}/studies?00080020={date}-")).GetArrayLength().ShouldBe(1);
        (await QidoAsync(http, $"{scoped}/studies?StudyInstanceUID=1.2.3,{study}")).GetArrayLength().ShouldBe(1);
        (await QidoAsync(http, $"{scoped}/studies?ModalitiesInStudy=XA,{first.GetString(DicomTags.Modality)}")).GetArrayLength().ShouldBe(1);

        // Nested forms, paging, includefield (from the index and from the stored header).
        var instances = await QidoAsync(http, $"{scoped}/studies/{study}/instances?limit=2&offset=1&includefield=00180050,PatientAge");
        instances.GetArrayLength().ShouldBe(2);
        Text(instances[0], "00080018").ShouldNotBeNull();
        Text(instances[0], "00180050").ShouldNotBeNull();
        var series = await QidoAsync(http, $"{scoped}/studies/{study}/series");
        series.EnumerateArray().Sum(s => int.Parse(Text(s, "00201209")!, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(SeriesFiles().Count);
        var all = await QidoAsync(http, $"{scoped}/instances?SOPInstanceUID={first.GetString(DicomTags.SopInstanceUid)}&includefield=all");
        Text(all[0], "00280100").ShouldBe(first.GetString(DicomTags.BitsAllocated));
        all[0].TryGetProperty("7FE00010", out _).ShouldBeFalse();

        // Unsupported keys are reported, fuzzymatching is accepted, nonsense is refused.
        var warned = await http.GetAsync($"{scoped}/studies?PatientAge=042Y&fuzzymatching=true").ShouldHaveStatus(HttpStatusCode.OK);
        warned.Headers.GetValues("Warning").Single().ShouldContain("PatientAge");
        await http.GetAsync($"{scoped}/studies?NoSuchKeyword=1").ShouldHaveStatus(HttpStatusCode.BadRequest);
        await http.GetAsync($"{scoped}/studies?limit=-1").ShouldHaveStatus(HttpStatusCode.BadRequest);

        // Only readable projects answer: the site-wide service shows nothing to an outsider, the project's own is 404.
        var outsider = server.Http(await server.CreateUserAsync());
        (await QidoAsync(outsider, $"dicom-web/studies?StudyInstanceUID={study}")).GetArrayLength().ShouldBe(0);
        (await QidoAsync(server.Http(), $"dicom-web/studies?StudyInstanceUID={study}")).GetArrayLength().ShouldBe(0);
        await outsider.GetAsync($"{scoped}/studies").ShouldHaveStatus(HttpStatusCode.NotFound);
        (await QidoAsync(http, $"dicom-web/studies?StudyInstanceUID={study}")).GetArrayLength().ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Wado_StudySeriesInstance_AsStoredByteForByte_PrivateReadsAudited()
    {
        var (project, owner) = await ProjectWithSeriesAsync();
        var http = server.Http(owner);
        var files = SeriesFiles();
        var first = Header(files[0]);
        var study = first.GetString(DicomTags.StudyInstanceUid)!;
        var seriesUid = first.GetString(DicomTags.SeriesInstanceUid)!;
        var sop = first.GetString(DicomTags.SopInstanceUid)!;

        var response = await http.SendAsync(Multipart.Get($"dicom-web/studies/{study}", "multipart/related; type=\"application/dicom\"; transfer-syntax=*"))
            .ShouldHaveStatus(HttpStatusCode.OK);
        var parts = await Multipart.ReadAsync(response);
        parts.Count.ShouldBe(files.Count);
        parts.Select(p => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(p.Bytes)))
            .ShouldBe(files.Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))), ignoreOrder: true);
        parts[0].ContentType.ShouldStartWith("application/dicom; transfer-syntax=");

        var instanceUrl = $"dicom-web/projects/{project}/studies/{study}/series/{seriesUid}/instances/{sop}";
        var one = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(instanceUrl, "multipart/related; type=\"application/dicom\"; transfer-syntax=*"))
            .ShouldHaveStatus(HttpStatusCode.OK));
        one.Single().Bytes.ShouldBe(File.ReadAllBytes(files[0]));
        // Without a transfer syntax, the default: these implicit VR files are re-encoded in Explicit VR Little Endian.
        var reencoded = await Multipart.ReadAsync(await http.GetAsync(instanceUrl).ShouldHaveStatus(HttpStatusCode.OK));
        reencoded.Single().ContentType.ShouldBe("application/dicom; transfer-syntax=1.2.840.10008.1.2.1");
        DatasetComparer.ShouldEqual(DicomReader.Read(new MemoryStream(reencoded.Single().Bytes)).Dataset, DicomReader.ReadFile(files[0]).Dataset, compareVr: false);

        var outsider = server.Http(await server.CreateUserAsync());
        await outsider.GetAsync($"dicom-web/studies/{study}").ShouldHaveStatus(HttpStatusCode.NotFound);
        await server.Http().GetAsync($"dicom-web/studies/{study}/metadata").ShouldHaveStatus(HttpStatusCode.NotFound);
        await http.GetAsync("dicom-web/studies/1.2.3.4").ShouldHaveStatus(HttpStatusCode.NotFound);

        await Poll.UntilAsync(
            async () => await (await server.Admin().GetAsync($"api/audit?project={project}")).ReadJson<PageDto<AuditEntryDto>>(),
            audit => audit.Items.Any(e => e.Action == "GET /dicom-web/studies/{study}" && e.User == owner && e.Status == 200),
            "the retrieve's audit entry");
    }

    [Fact]
    public async Task Wado_MetadataBulkDataAndFrames_NativeAndCompressed()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        await StowAsync(http, $"dicom-web/studies?project={project}", new[] { MultiFrame, Jpeg, Rle }.Select(f => File.ReadAllBytes(TestCorpus.File(f))), HttpStatusCode.OK);

        // Native multi-frame: metadata points at the pixel data; frames are slices of it.
        var native = DicomReader.ReadFile(TestCorpus.File(MultiFrame));
        var url = InstanceUrl(project, native.Dataset);
        var metadata = await QidoAsync(http, url + "/metadata");
        var bulkUri = metadata[0].GetProperty("7FE00010").GetProperty("BulkDataURI").GetString()!;
        bulkUri.ShouldBe($"{server.BaseAddress}{url}/bulk/7FE00010");
        Text(metadata[0], "00100020").ShouldBe(native.Dataset.GetString(DicomTags.PatientId));
        var pixels = ((DicomValueElement)native.Dataset[DicomTags.PixelData]!).Bytes.ToArray();
        var bulk = await Multipart.ReadAsync(await http.GetAsync(bulkUri).ShouldHaveStatus(HttpStatusCode.OK));
        bulk.Single().Bytes.ShouldBe(pixels);
        var frameSize = pixels.Length / 13;
        var frames = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(url + "/frames/2,13", "multipart/related; type=\"application/octet-stream\""))
            .ShouldHaveStatus(HttpStatusCode.OK));
        frames.Select(f => f.ContentType).ShouldAllBe(t => t.StartsWith("application/octet-stream", StringComparison.Ordinal));
        frames[0].Bytes.ShouldBe(pixels[frameSize..(2 * frameSize)]);
        frames[1].Bytes.ShouldBe(pixels[(12 * frameSize)..]);
        await http.GetAsync(url + "/frames/14").ShouldHaveStatus(HttpStatusCode.NotFound);
        await http.GetAsync(url + "/frames/0").ShouldHaveStatus(HttpStatusCode.BadRequest);

        // JPEG lossless: the frame goes out as stored for image/jpeg or transfer-syntax=*, decoded for octet-stream (the default).
        var jpeg = DicomReader.ReadFile(TestCorpus.File(Jpeg));
        var jpegUrl = InstanceUrl(project, jpeg.Dataset);
        var compressed = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(jpegUrl + "/frames/1", "multipart/related; type=\"image/jpeg\""))
            .ShouldHaveStatus(HttpStatusCode.OK));
        compressed.Single().ContentType.ShouldBe("image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.70");
        compressed.Single().Bytes[..2].ShouldBe(new byte[] { 0xFF, 0xD8 });
        var asStored = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(jpegUrl + "/frames/1", "multipart/related; type=\"application/octet-stream\"; transfer-syntax=*"))
            .ShouldHaveStatus(HttpStatusCode.OK));
        asStored.Single().ContentType.ShouldBe("image/jpeg; transfer-syntax=1.2.840.10008.1.2.4.70");
        var decoded = await Multipart.ReadAsync(await http.GetAsync(jpegUrl + "/frames/1").ShouldHaveStatus(HttpStatusCode.OK));
        decoded.Single().ContentType.ShouldBe("application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1");
        decoded.Single().Bytes.Length.ShouldBe(512 * 512 * 2);

        // RLE multi-frame without an offset table: one fragment per frame.
        var rle = DicomReader.ReadFile(TestCorpus.File(Rle));
        var fragments = ((DicomFragments)rle.Dataset[DicomTags.PixelData]!).Fragments;
        var rleFrames = await Multipart.ReadAsync(await http.SendAsync(Multipart.Get(InstanceUrl(project, rle.Dataset) + "/frames/1,10", "multipart/related; type=\"image/dicom-rle\""))
            .ShouldHaveStatus(HttpStatusCode.OK));
        rleFrames[0].ContentType.ShouldBe("image/dicom-rle; transfer-syntax=1.2.840.10008.1.2.5");
        rleFrames[0].Bytes.ShouldBe(fragments[0].Bytes.ToArray());
        rleFrames[1].Bytes.ShouldBe(fragments[9].Bytes.ToArray());
    }

    private static string InstanceUrl(string project, DicomDataset dataset) =>
        $"dicom-web/projects/{project}/studies/{dataset.GetString(DicomTags.StudyInstanceUid)}/series/{dataset.GetString(DicomTags.SeriesInstanceUid)}/instances/{dataset.GetString(DicomTags.SopInstanceUid)}";
}
