using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Media;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Import;

/// <summary>A site whose DICOM media hold at most 20 instances, so that the limit can be reached with the corpus's 16-image series.</summary>
public sealed class DicomMediaServer : TestServer
{
    public DicomMediaServer() => Settings["Dicom:Media:MaxInstances"] = "20";
}

/// <summary>
/// DICOM media export (a PS3.10 file-set as a zip) read back by our reader, dcmtk, dicom3tools and Orthanc,
/// and imported again; import of discs through their DICOMDIRs, dcmtk's and hostile ones.
/// </summary>
public sealed partial class DicomMediaTests(DicomMediaServer server) : IClassFixture<DicomMediaServer>
{
    private const string Series = "dcm4che/testdata-series";

    [GeneratedRegex("^DICOM(/[A-Z0-9_]{1,8}){4}$")]
    private static partial Regex FileIdPattern();

    [Fact]
    public async Task ExportSession_ZipOfPart10FilesUnderStandardFileIds_DicomDirReferencesEachOne()
    {
        var (project, session, files) = await ImportSeriesAsync();

        var zip = await GetZipAsync($"api/projects/{project}/{session}/dicom-media");

        zip.Keys.ShouldContain("DICOMDIR");
        var instances = zip.Where(e => e.Key != "DICOMDIR").ToList();
        instances.Count.ShouldBe(files.Count);
        instances.ShouldAllBe(e => FileIdPattern().IsMatch(e.Key));
        var directory = DicomDirectory.Read(new MemoryStream(zip["DICOMDIR"]));
        directory.LinkError.ShouldBeNull();
        directory.Warnings.ShouldBeEmpty();
        directory.FileSetId.ShouldBe("TESSERA");
        directory.Records.Count(r => r.Type == "PATIENT").ShouldBe(1);
        directory.Records.Count(r => r.Type == "STUDY").ShouldBe(1);
        var images = directory.Records.Where(r => r.Type == "IMAGE").ToList();
        images.Count.ShouldBe(files.Count);
        foreach (var image in images)
        {
            var bytes = zip[string.Join('/', image.FileId)];
            var file = DicomReader.Read(new MemoryStream(bytes), DicomReadOptions.Headers);
            file.HadPreamble.ShouldBeTrue();
            file.HadMeta.ShouldBeTrue();
            file.SopInstanceUid.ShouldBe(image.ReferencedSopInstanceUid);
            image.ReferencedSopClassUid.ShouldBe(file.SopClassUid);
            image.ReferencedTransferSyntaxUid.ShouldBe(file.Meta.GetString(DicomTags.TransferSyntaxUid));
            image.Dataset.GetString(DicomTags.InstanceNumber).ShouldBe(file.Dataset.GetString(DicomTags.InstanceNumber));
            image.Parent!.Dataset.GetString(DicomTags.SeriesInstanceUid).ShouldBe(file.Dataset.GetString(DicomTags.SeriesInstanceUid));
            // As stored: the corpus's own bytes.
            bytes.ShouldBe(files.Single(f => f.Sop == file.SopInstanceUid).Bytes);
        }
    }

    [Fact]
    public async Task ExportSession_ReadByDcmtkAndDicom3tools_NoErrors()
    {
        var (project, session, files) = await ImportSeriesAsync();
        var folder = Unzip(await GetZipAsync($"api/projects/{project}/{session}/dicom-media"));
        var dicomdir = Path.Combine(folder, "DICOMDIR");

        var (dumpExit, dump) = await Dcmtk.RunAsync("dcmdump", "-dc", "+L", dicomdir);
        dumpExit.ShouldBe(0, dump);
        dump.ShouldNotContain("E:");
        dump.ShouldContain("MediaStorageDirectoryStorage");
        // dicom3tools: the records as followed by their offsets, and the Basic Directory IOD checked.
        var (walkExit, walk) = await Dcmtk.RunAsync("dcdirdmp", dicomdir);
        walkExit.ShouldBe(0, walk);
        Regex.Count(walk, @"^\s*IMAGE\b", RegexOptions.Multiline).ShouldBe(files.Count);
        Regex.Count(walk, @"-> DICOM\\PAT00001\\STU00001\\SER\d{5}\\IMG\d{5}", RegexOptions.Multiline).ShouldBe(files.Count);
        var (_, verify) = await Dcmtk.RunAsync("dciodvfy", dicomdir);
        verify.ShouldContain("BasicDirectory");
        verify.ShouldNotContain("Error");
        // dcmtk's reader of file-sets appends to a copy of ours: it follows our offsets and keeps our records.
        var appended = Path.Combine(folder, "APPENDED");
        File.Copy(dicomdir, appended);
        File.WriteAllBytes(Path.Combine(folder, "EXTRA"), TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), patientId: "EXTRA"));
        var (appendExit, append) = await Dcmtk.RunAsync("dcmmkdir", "-Nxc", "+I", "+A", "-nb", "+id", folder, "+D", appended, "EXTRA");
        appendExit.ShouldBe(0, append);
        append.ShouldNotContain("E:");
        var both = DicomDirectory.ReadFile(appended);
        both.FileRecords.Count().ShouldBe(files.Count + 1);
    }

    [Fact]
    public async Task ExportSession_EveryFileAcceptedByOrthanc()
    {
        OrthancProcess.RequireInstalled();
        var (project, session, files) = await ImportSeriesAsync();
        var zip = await GetZipAsync($"api/projects/{project}/{session}/dicom-media");
        await using var orthanc = await OrthancProcess.StartAsync(new Dictionary<string, (string, string, string)>());

        foreach (var (name, bytes) in zip.Where(e => e.Key != "DICOMDIR"))
        {
            var added = await orthanc.Http.PostAsync("instances", new ByteArrayContent(bytes)).ShouldHaveStatus(HttpStatusCode.OK);
            (await added.ReadJson<JsonElement>()).GetProperty("Status").GetString().ShouldBe("Success", name);
        }
        (await orthanc.Http.GetFromJsonAsync<JsonElement>("instances")).GetArrayLength().ShouldBe(files.Count);
    }

    [Fact]
    public async Task ExportThenImport_SameInstancesSameBytes_DicomDirNotStored()
    {
        var (project, session, files) = await ImportSeriesAsync();
        var zip = await GetRawZipAsync($"api/projects/{project}/{session}/dicom-media");
        var target = await server.CreateProjectAsync();

        var report = await ImportAsync(target, zip);

        report.Stored.ShouldBe(files.Count);
        report.Rejected.ShouldBe(0);
        report.Missing.ShouldBe(0);
        report.Files.Single(f => f.Outcome == "directory").Name.ShouldBe("DICOMDIR");
        var disc = report.Discs!.Single();
        (disc.Referenced, disc.Found, disc.Missing, disc.Unreferenced, disc.Error).ShouldBe((files.Count, files.Count, 0, 0, (string?)null));
        var again = await GetZipAsync($"api/projects/{target}/{report.Sessions.Single()}/dicom-media");
        again.Where(e => e.Key != "DICOMDIR").Select(e => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(e.Value))).Order()
            .ShouldBe(files.Select(f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Bytes))).Order());
        using var http = server.Admin();
        var stored = await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{target}/instances?SOPClassUID={DicomDirectory.SopClassUid}");
        stored.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task ExportSession_InstanceStoredWithoutPreambleOrMeta_WrittenAsPart10WithItsDatasetUnchanged()
    {
        var project = await server.CreateProjectAsync();
        var (study, series, sop) = (TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid());
        var bare = TestDicom.Dataset(study, series, sop);
        var report = await ImportAsync(project, bare, "?name=bare");
        report.Stored.ShouldBe(1);

        var zip = await GetZipAsync($"api/projects/{project}/{report.Sessions.Single()}/dicom-media");

        var bytes = zip["DICOM/PAT00001/STU00001/SER00001/IMG00001"];
        var file = DicomReader.Read(new MemoryStream(bytes));
        file.HadPreamble.ShouldBeTrue();
        file.Meta.GetString(DicomTags.MediaStorageSopInstanceUid).ShouldBe(sop);
        file.Meta.GetString(DicomTags.TransferSyntaxUid).ShouldBe(file.Syntax.Uid);
        bytes.AsSpan((int)file.DatasetOffset).SequenceEqual(bare).ShouldBeTrue();
        DicomDirectory.Read(new MemoryStream(zip["DICOMDIR"])).FileRecords.Single().ReferencedTransferSyntaxUid.ShouldBe(file.Syntax.Uid);
    }

    [Fact]
    public async Task ExportScanAndQuery_OnlyWhatTheyName_QueryWithoutKeysRefused_OverTheLimitRefused()
    {
        var (project, session, files) = await ImportSeriesAsync();
        var study = files[0].Header.GetString(DicomTags.StudyInstanceUid);
        var seriesNumber = files[0].Header.GetString(DicomTags.SeriesNumber);
        var inSeries = files.Count(f => f.Header.GetString(DicomTags.SeriesNumber) == seriesNumber);

        var scan = await GetZipAsync($"api/projects/{project}/{session}/scans/{seriesNumber}/dicom-media");
        var query = await GetZipAsync($"api/projects/{project}/dicom-media?StudyInstanceUID={study}");
        using var http = server.Admin();
        var none = await http.GetAsync($"api/projects/{project}/dicom-media");
        var nothing = await http.GetAsync($"api/projects/{project}/dicom-media?PatientID=NO-SUCH-PATIENT");
        // Five more instances of the same patient make the project's 21 too many for one export (the limit is 20 here).
        foreach (var i in Enumerable.Range(1, 5))
        {
            var extra = TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), patientId: files[0].Header.GetString(DicomTags.PatientId)!);
            await ImportAsync(project, extra, $"?name=extra{i}.dcm");
        }
        var tooMany = await http.GetAsync($"api/projects/{project}/dicom-media?PatientID={files[0].Header.GetString(DicomTags.PatientId)}");

        scan.Count.ShouldBe(inSeries + 1);
        query.Count.ShouldBe(files.Count + 1);
        none.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        nothing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        tooMany.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooMany.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain("more than 20");
    }

    [Fact]
    public async Task ExportSession_PrivateProject_OutsiderGets404_OwnerReadAudited()
    {
        var (project, session, _) = await ImportSeriesAsync();
        var outsider = await server.CreateUserAsync();
        using var stranger = server.Http(outsider);
        (await stranger.GetAsync($"api/projects/{project}/{session}/dicom-media")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        await GetZipAsync($"api/projects/{project}/{session}/dicom-media");

        using var http = server.Admin();
        await Poll.UntilAsync(() => http.GetFromJsonAsync<JsonElement>($"api/audit?project={project}"),
            page => page.GetProperty("items").EnumerateArray().Any(e => e.GetProperty("action").GetString() == "GET /api/projects/{p}/subjects/{s}/sessions/{e}/dicom-media"),
            "the export's audit entry");
    }

    [Fact]
    public async Task ImportDisc_MadeByDcmmkdir_CaseMangledVersionedNames_MissingReportedViewerSkipped()
    {
        var project = await server.CreateProjectAsync();
        var corpus = Directory.GetFiles(TestCorpus.File(Series)).Order(StringComparer.Ordinal).ToList();
        var disc = Path.Combine(Path.GetTempPath(), "tessera-disc-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(disc, "DICOM", "SUB"));
        for (var i = 0; i < corpus.Count; i++)
            File.Copy(corpus[i], Path.Combine(disc, "DICOM", "SUB", $"IM{i + 1}"));
        var (exit, output) = await Dcmtk.RunAsync("dcmmkdir", "-q", "-Nxc", "+I", "+r", "+id", disc, "+D", Path.Combine(disc, "DICOMDIR"));
        exit.ShouldBe(0, output);
        // As an operating system shows a disc: lower case, ISO 9660 versions; one image lost; a viewer beside the images.
        var entries = new List<(string, byte[])> { ("cd/dicomdir;1", File.ReadAllBytes(Path.Combine(disc, "DICOMDIR"))) };
        for (var i = 1; i < corpus.Count; i++)
            entries.Add(($"cd/dicom/sub/im{i + 1};1", File.ReadAllBytes(corpus[i])));
        entries.Add(("cd/viewer/viewer.exe", "MZ not a real program"u8.ToArray()));
        entries.Add(("cd/autorun.inf", "[autorun]"u8.ToArray()));

        var report = await ImportAsync(project, ZipOf(entries));

        report.Stored.ShouldBe(corpus.Count - 1);
        report.Rejected.ShouldBe(0);
        report.Missing.ShouldBe(1);
        report.Files.Single(f => f.Outcome == "missing").Name.ShouldBe("cd/DICOM/SUB/IM1");
        report.Skipped.ShouldBe(2);
        report.StoredAsOther.ShouldBe(0);
        report.Files.Single(f => f.Outcome == "directory").Name.ShouldBe("cd/dicomdir;1");
        var summary = report.Discs!.Single();
        (summary.Referenced, summary.Found, summary.Missing, summary.Unreferenced).ShouldBe((corpus.Count, corpus.Count - 1, 1, 2));
        report.Files.Where(f => f.Outcome == "stored").ShouldAllBe(f => f.Warnings.Count == 0);
    }

    [Fact]
    public async Task ImportDisc_CyclicOffsets_ErrorReportedAndFilesStillImported()
    {
        var project = await server.CreateProjectAsync();
        var (dicomdir, images) = Disc(3);
        var file = DicomReader.Read(new MemoryStream(dicomdir));
        var records = file.Dataset.GetSequence(DicomTags.DirectoryRecordSequence)!.Items;
        // The last image names the series above it as its next record.
        records[^1].Set(new DicomValueElement(DicomTags.OffsetOfTheNextDirectoryRecord, DicomVr.UL, BitConverter.GetBytes((uint)records[2].Offset)));
        using var hostile = new MemoryStream();
        DicomWriter.WriteFile(hostile, file);

        var report = await ImportAsync(project, ZipOf([("DICOMDIR", hostile.ToArray()), .. images]));

        report.Discs!.Single().Error!.ShouldContain("cycle");
        report.Stored.ShouldBe(3);
        report.Missing.ShouldBe(0);
    }

    [Fact]
    public async Task ImportDisc_FileIdsLeavingTheDisc_RefusedNeverFollowed()
    {
        var project = await server.CreateProjectAsync();
        var (dicomdir, _) = Disc(2, fileIds: [@"..\SECRET", @"\ETC\PASSWD"]);
        // Files that the escaping IDs would name, were they followed: beside the disc's folder, and at the root.
        var secret = TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), patientId: "SECRET");

        var report = await ImportAsync(project, ZipOf([("disc/DICOMDIR", dicomdir), ("SECRET", secret), ("ETC/PASSWD", "root:x:0:0"u8.ToArray())]));

        var refused = report.Files.Where(f => f.Outcome == "rejected").ToList();
        refused.Count.ShouldBe(2);
        refused.ShouldContain(f => f.Reason!.Contains("'..'"));
        refused.ShouldContain(f => f.Reason!.Contains("empty component"));
        report.Discs!.Single().Refused.ShouldBe(2);
        // What lies outside the disc's folder is imported as any file of a zip, not as the disc's.
        report.Files.Single(f => f.Name == "SECRET").Warnings.ShouldBeEmpty();
    }

    [Fact]
    public async Task ImportDicomDirAlone_ReportedAsADirectoryNotStored()
    {
        var project = await server.CreateProjectAsync();
        var (dicomdir, _) = Disc(1);
        var report = await ImportAsync(project, dicomdir, "?name=DICOMDIR");
        report.Stored.ShouldBe(0);
        report.Files.Single().Outcome.ShouldBe("directory");
        report.Files.Single().Reason!.ShouldContain("never stored as an instance");
    }

    [Fact]
    public async Task ImportDisc_NotADicomDirButNamedSo_ImportedByContent()
    {
        var project = await server.CreateProjectAsync();
        var image = TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid());
        var report = await ImportAsync(project, ZipOf([("DICOMDIR", image)]));
        report.Stored.ShouldBe(1);
        report.Discs!.Single().Error!.ShouldContain("cannot be read");
    }

    /// <summary>A DICOMDIR of our own writer for <paramref name="count"/> new CT images of one series, and the images at DICOM/IMn.</summary>
    private static (byte[] DicomDir, List<(string, byte[])> Images) Disc(int count, string[]? fileIds = null)
    {
        var (study, series) = (TestDicom.NewUid(), TestDicom.NewUid());
        var patient = new DicomDirectoryEntry("PATIENT");
        patient.Keys.SetString(DicomTags.PatientId, "P1");
        var studyEntry = new DicomDirectoryEntry("STUDY");
        studyEntry.Keys.SetString(DicomTags.StudyInstanceUid, study);
        var seriesEntry = new DicomDirectoryEntry("SERIES");
        seriesEntry.Keys.SetString(DicomTags.SeriesInstanceUid, series);
        patient.Lower.Add(studyEntry);
        studyEntry.Lower.Add(seriesEntry);
        var images = new List<(string, byte[])>();
        for (var i = 1; i <= (fileIds?.Length ?? count); i++)
        {
            var sop = TestDicom.NewUid();
            var id = fileIds?[i - 1] ?? $@"DICOM\IM{i}";
            var entry = new DicomDirectoryEntry("IMAGE");
            entry.Keys.SetString(DicomTags.ReferencedFileId, id);
            entry.Keys.SetString(DicomTags.ReferencedSopInstanceUidInFile, sop);
            seriesEntry.Lower.Add(entry);
            if (fileIds is null)
                images.Add((id.Replace('\\', '/'), TestDicom.Create(study, series, sop, instanceNumber: i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }
        using var output = new MemoryStream();
        DicomDirectoryWriter.Write(output, [patient], "HOSTILE", TestDicom.NewUid());
        return (output.ToArray(), images);
    }

    private async Task<(string Project, string Session, List<(string Sop, byte[] Bytes, DicomDataset Header)> Files)> ImportSeriesAsync()
    {
        var project = await server.CreateProjectAsync();
        var files = Directory.GetFiles(TestCorpus.File(Series)).Order(StringComparer.Ordinal)
            .Select(f => (Bytes: File.ReadAllBytes(f), Header: DicomReader.ReadFile(f, DicomReadOptions.Headers).Dataset))
            .Select(f => (f.Header.GetString(DicomTags.SopInstanceUid)!, f.Bytes, f.Header)).ToList();
        var report = await ImportAsync(project, ZipOf(files.Select((f, i) => ($"f{i}.dcm", f.Bytes))));
        report.Stored.ShouldBe(files.Count);
        return (project, report.Sessions.Single(), files);
    }

    private async Task<ImportReportDto> ImportAsync(string project, byte[] body, string query = "")
    {
        using var http = server.Admin();
        var response = await http.PostAsync($"api/projects/{project}/import{query}", new ByteArrayContent(body)).ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadJson<ImportReportDto>();
    }

    private async Task<byte[]> GetRawZipAsync(string url)
    {
        using var http = server.Admin();
        var response = await http.GetAsync(url).ShouldHaveStatus(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<Dictionary<string, byte[]>> GetZipAsync(string url)
    {
        using var zip = new ZipArchive(new MemoryStream(await GetRawZipAsync(url)), ZipArchiveMode.Read);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            entries.Add(entry.FullName, copy.ToArray());
        }
        return entries;
    }

    private static string Unzip(Dictionary<string, byte[]> entries)
    {
        var folder = Path.Combine(Path.GetTempPath(), "tessera-media-" + Guid.NewGuid().ToString("N"));
        foreach (var (name, bytes) in entries)
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        return folder;
    }

    private static byte[] ZipOf(IEnumerable<(string Name, byte[] Bytes)> files) => ImportApiTests.ZipOf(files);
}
