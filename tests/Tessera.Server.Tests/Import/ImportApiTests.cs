using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Import;

/// <summary>POST /api/projects/{p}/import with real files of the corpus.</summary>
public sealed class ImportApiTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Series = "dcm4che/testdata-series";

    internal static byte[] ZipOf(IEnumerable<(string Name, byte[] Bytes)> files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var entry = zip.CreateEntry(name).Open();
                entry.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    private static async Task<ImportReportDto> ImportAsync(HttpClient http, string project, HttpContent content, string query = "")
    {
        var response = await http.PostAsync($"api/projects/{project}/import{query}", content).ShouldHaveStatus(HttpStatusCode.OK);
        return await response.ReadJson<ImportReportDto>();
    }

    private static byte[] Rewrite(string corpusFile, Action<DicomDataset> change)
    {
        var file = DicomReader.ReadFile(TestCorpus.File(corpusFile));
        change(file.Dataset);
        using var output = new MemoryStream();
        DicomWriter.WriteFile(output, file);
        return output.ToArray();
    }

    [Fact]
    public async Task Import_ZipOfASeriesAndANote_SortedIntoSubjectSessionScanAndNoteKept()
    {
        var project = await server.CreateProjectAsync();
        var dir = TestCorpus.File(Series);
        var files = Directory.GetFiles(dir).Order().Select(f => ("series/" + Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        files.Add(("series/README.txt", "acquired on the 3T"u8.ToArray()));
        var http = server.Admin();

        var report = await ImportAsync(http, project, new ByteArrayContent(ZipOf(files)));

        var dicomCount = files.Count - 1;
        report.Stored.ShouldBe(dicomCount);
        report.Rejected.ShouldBe(0);
        report.StoredAsOther.ShouldBe(1);
        report.Sessions.Count.ShouldBe(1);
        var first = DicomReader.ReadFile(Directory.GetFiles(dir).Order().First(), DicomReadOptions.Headers).Dataset;
        var subject = first.GetString(DicomTags.PatientId)!;
        report.Sessions[0].ShouldStartWith($"subjects/{subject}/sessions/{first.GetString(DicomTags.StudyDate)}_");
        report.Files.Where(f => f.Outcome == "stored").Select(f => f.Target).Distinct().Count()
            .ShouldBe(Directory.GetFiles(dir).Select(f => DicomReader.ReadFile(f, DicomReadOptions.Headers).Dataset.GetString(DicomTags.SeriesInstanceUid)).Distinct().Count());

        var session = report.Sessions[0];
        var scanNumber = first.GetString(DicomTags.SeriesNumber)!;
        var scan = await http.GetFromJsonAsync<ScanDto>($"api/projects/{project}/{session}/scans/{scanNumber}");
        scan!.Type.ShouldBe(first.GetString(DicomTags.Modality));
        var note = await http.GetStringAsync($"api/projects/{project}/{session}/resources/OTHER/files/series/README.txt");
        note.ShouldBe("acquired on the 3T");
        var sop = first.GetString(DicomTags.SopInstanceUid);
        var stored = await http.GetByteArrayAsync($"api/projects/{project}/{session}/scans/{scanNumber}/resources/DICOM/files/{sop}.dcm");
        stored.ShouldBe(File.ReadAllBytes(Directory.GetFiles(dir).Order().First()));
    }

    [Fact]
    public async Task Import_SameFilesAgain_AllDuplicatesAndNothingChanges()
    {
        var project = await server.CreateProjectAsync();
        var dir = TestCorpus.File(Series);
        var zip = ZipOf(Directory.GetFiles(dir).Take(4).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))));
        var http = server.Admin();
        (await ImportAsync(http, project, new ByteArrayContent(zip))).Stored.ShouldBe(4);
        var again = await ImportAsync(http, project, new ByteArrayContent(zip));
        again.Duplicates.ShouldBe(4);
        again.Stored.ShouldBe(0);
    }

    [Fact]
    public async Task Import_FileWithoutExtension_RecognisedByContent()
    {
        var project = await server.CreateProjectAsync();
        var bytes = File.ReadAllBytes(TestCorpus.File("fo-dicom/CT-MONO2-16-ankle"));
        var report = await ImportAsync(server.Admin(), project, new ByteArrayContent(bytes), "?name=ankle");
        report.Stored.ShouldBe(1);
        report.Files[0].Name.ShouldBe("ankle");
    }

    [Fact]
    public async Task Import_MoreFramesDeclaredThanThePixelDataHolds_RejectedWithTheReason()
    {
        // Bugs/FrameCountBeyondPixelData: a 4 KB file declaring two million frames once sized lists of two million planes.
        var project = await server.CreateProjectAsync();
        var file = DicomReader.Read(new MemoryStream(TestDicom.Create(TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid())));
        file.Dataset.SetString(DicomTags.NumberOfFrames, "2000000");
        using var bomb = new MemoryStream();
        DicomWriter.WriteFile(bomb, file);

        var report = await ImportAsync(server.Admin(), project, new ByteArrayContent(bomb.ToArray()), "?name=bomb.dcm");

        report.Stored.ShouldBe(0);
        report.Files[0].Outcome.ShouldBe("rejected");
        report.Files[0].Reason.ShouldNotBeNull().ShouldContain("Number of Frames (2000000) is more than the pixel data's 32 bytes can hold");
    }

    [Fact]
    public async Task Import_NoPatientId_StoredUnderStudyDerivedSubjectAndReported()
    {
        var project = await server.CreateProjectAsync();
        var bytes = Rewrite("pydicom-data/MR2_UNCR.dcm", d => d.Remove(DicomTags.PatientId));
        var report = await ImportAsync(server.Admin(), project, new ByteArrayContent(bytes));
        report.Stored.ShouldBe(1);
        report.Files[0].Target.ShouldStartWith("subjects/NOPID_");
        report.Files[0].Warnings.ShouldContain(w => w.Contains("no PatientID"));
    }

    [Fact]
    public async Task Import_SameInstanceOtherBytes_NewVersionOrRefusedByProjectSetting()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        var original = File.ReadAllBytes(TestCorpus.File("pydicom-data/MR2_UNCR.dcm"));
        var changed = Rewrite("pydicom-data/MR2_UNCR.dcm", d => d.SetString(DicomTags.StudyDescription, DicomVr.LO, "corrected"));
        (await ImportAsync(http, project, new ByteArrayContent(original))).Stored.ShouldBe(1);

        var version = await ImportAsync(http, project, new ByteArrayContent(changed));
        version.NewVersions.ShouldBe(1);

        var patch = await http.PatchAsJsonAsync($"api/projects/{project}", new UpdateProjectRequest(Dicom: new DicomSettingsDto(OnDifferentContent: "reject")))
            .ShouldHaveStatus(HttpStatusCode.OK);
        (await patch.ReadJson<ProjectDto>()).Dicom!.OnDifferentContent.ShouldBe("reject");
        var third = Rewrite("pydicom-data/MR2_UNCR.dcm", d => d.SetString(DicomTags.StudyDescription, DicomVr.LO, "again"));
        var refused = await ImportAsync(http, project, new ByteArrayContent(third));
        refused.Rejected.ShouldBe(1);
        refused.Files[0].Reason!.ShouldContain("other bytes");
    }

    [Fact]
    public async Task Import_OneStudyUnderTwoPatientIds_SecondRefusedNotMerged()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        (await ImportAsync(http, project, new ByteArrayContent(File.ReadAllBytes(TestCorpus.File("pydicom-data/MR2_UNCR.dcm"))))).Stored.ShouldBe(1);
        var other = Rewrite("pydicom-data/MR2_UNCR.dcm", d =>
        {
            d.SetString(DicomTags.PatientId, DicomVr.LO, "SOMEONE-ELSE");
            d.SetString(DicomTags.SopInstanceUid, DicomVr.UI, "1.2.826.0.1.3680043.8.498.1");
        });
        var report = await ImportAsync(http, project, new ByteArrayContent(other));
        report.Rejected.ShouldBe(1);
        report.Files[0].Reason!.ShouldContain("not merged");
    }

    [Fact]
    public async Task Import_TruncatedDicomAndMultipart_RejectedWithReasonOthersStored()
    {
        var project = await server.CreateProjectAsync();
        var good = File.ReadAllBytes(TestCorpus.File("pydicom-data/MR2_UNCR.dcm"));
        using var multipart = new MultipartFormDataContent
        {
            { new ByteArrayContent(good), "file", "good.dcm" },
            { new ByteArrayContent(good[..(good.Length / 2)]), "file", "cut.dcm" },
            { new ByteArrayContent(File.ReadAllBytes(TestCorpus.File("dcm4che/3gb-bulk-data-truncated"))), "file", "huge-claim.dcm" },
        };
        var report = await ImportAsync(server.Admin(), project, multipart);
        report.Stored.ShouldBe(1);
        report.Rejected.ShouldBe(2);
        report.Files.Single(f => f.Name == "cut.dcm").Reason!.ShouldContain("ends early");
    }

    /// <summary>Two entries for one path (the same name twice, or names that become the same) used to replace each other silently.</summary>
    [Fact]
    public async Task Import_ZipWithOnePathTwice_FirstKept_DuplicateReportedOnBothLines()
    {
        var project = await server.CreateProjectAsync();
        var instance = Directory.GetFiles(TestCorpus.File(Series)).Order().First();
        var zip = ZipOf([
            ("series/1.dcm", File.ReadAllBytes(instance)),
            ("notes.txt", "first"u8.ToArray()),
            ("notes.txt", "second"u8.ToArray()),
            ("dir\\x.txt", "backslash"u8.ToArray()),
            ("dir/x.txt", "slash"u8.ToArray()),
        ]);
        var http = server.Admin();

        var report = await ImportAsync(http, project, new ByteArrayContent(zip));

        report.Stored.ShouldBe(1);
        report.StoredAsOther.ShouldBe(2);
        report.NotStored.ShouldBe(2);
        var others = report.Files.Where(f => f.Outcome != "stored").ToList();
        others.Select(f => (f.Name, f.Outcome)).ShouldBe([
            ("notes.txt", "storedAsOther"), ("notes.txt", "notStored"), ("dir/x.txt", "storedAsOther"), ("dir/x.txt", "notStored")]);
        others[1].Reason!.ShouldContain("'notes.txt' of the same import is already stored at OTHER/notes.txt");
        others[3].Reason!.ShouldContain("'dir/x.txt' of the same import is already stored at OTHER/dir/x.txt");
        others[0].Warnings.ShouldHaveSingleItem().ShouldContain("another file for the same path, 'notes.txt'");
        others[2].Warnings.ShouldHaveSingleItem().ShouldContain("another file for the same path, 'dir/x.txt'");
        var session = report.Sessions.ShouldHaveSingleItem();
        (await http.GetStringAsync($"api/projects/{project}/{session}/resources/OTHER/files/notes.txt")).ShouldBe("first");
        (await http.GetStringAsync($"api/projects/{project}/{session}/resources/OTHER/files/dir/x.txt")).ShouldBe("backslash");
    }

    [Fact]
    public async Task Import_NotDicomWithoutSession_ReportedNotDropped()
    {
        var project = await server.CreateProjectAsync();
        var report = await ImportAsync(server.Admin(), project, new ByteArrayContent("just text"u8.ToArray()), "?name=notes.txt");
        report.NotStored.ShouldBe(1);
        report.Files[0].Reason!.ShouldBe("not DICOM, and this import stored no DICOM to keep it beside: import it again naming its session (SUBJECT/SESSION)");
    }

    /// <summary>Messages a person can act on: which characters, and why a note was not kept (regression: "more or fewer than one session").</summary>
    [Fact]
    public async Task Import_Messages_SayWhatToDo()
    {
        var project = await server.CreateProjectAsync();
        var odd = Rewrite("pydicom-data/MR2_UNCR.dcm", d => d.SetString(DicomTags.PatientId, "+oYVjq"));
        var other = Rewrite("fo-dicom/CT-MONO2-16-ankle", d => d.SetString(DicomTags.PatientId, "ANKLE-2"));
        var zip = ZipOf([("odd.dcm", odd), ("other.dcm", other), ("notes.txt", "a note"u8.ToArray())]);

        var report = await ImportAsync(server.Admin(), project, new ByteArrayContent(zip));

        report.Files.Single(f => f.Name == "odd.dcm").Warnings.ShouldContain("PatientID '+oYVjq' has characters a subject label cannot hold ('+'): stored under subject oYVjq");
        report.Files.Single(f => f.Name == "notes.txt").Reason.ShouldBe(
            "not DICOM, and this import's DICOM went into 2 sessions, so which one it belongs to is not clear: import it again naming its session (SUBJECT/SESSION)");
    }

    [Fact]
    public async Task Import_ReaderOfTheProject_Forbidden()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var reader = await server.CreateUserAsync();
        await server.Admin().PutAsJsonAsync($"api/projects/{project}/members/{reader}", new SetMemberRequest(Role.Collaborator)).ShouldHaveStatus(HttpStatusCode.Created);
        var response = await server.Http(reader).PostAsync($"api/projects/{project}/import", new ByteArrayContent([1, 2, 3]));
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Import_DeidentifyingProject_StoresOnlyDeidentifiedObjects_UidsConsistentAcrossImports()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        var patch = await http.PatchAsync($"api/projects/{project}",
            HttpAssertions.Json("""{"dicom": {"deidentification": {"enabled": true, "retainLongitudinalTemporal": true}}}""")).ShouldHaveStatus(HttpStatusCode.OK);
        var settings = (await patch.ReadJson<ProjectDto>()).Dicom!.Deidentification!;
        settings.Enabled.ShouldBeTrue();
        settings.RetainLongitudinalTemporal.ShouldBeTrue();
        (await patch.Content.ReadAsStringAsync()).ShouldNotContain("key", Case.Insensitive);
        var files = Directory.GetFiles(TestCorpus.File(Series)).Order(StringComparer.Ordinal).ToList();
        var original = DicomReader.ReadFile(files[0], DicomReadOptions.Headers).Dataset;

        // Two imports of the same study: the remapped UIDs put the second file into the first one's session.
        var first = await ImportAsync(http, project, new ByteArrayContent(File.ReadAllBytes(files[0])));
        var second = await ImportAsync(http, project, new ByteArrayContent(File.ReadAllBytes(files[1])));

        first.Stored.ShouldBe(1);
        second.Stored.ShouldBe(1);
        first.Files[0].Warnings.ShouldContain(w => w.Contains("de-identified", StringComparison.Ordinal));
        second.Sessions.ShouldBe(first.Sessions);
        // The patient is known by the project's first pseudonym, never by the original PatientID.
        var subject = $"{project}-0001";
        first.Sessions[0].ShouldStartWith($"subjects/{subject}/sessions/{original.GetString(DicomTags.StudyDate)}_");
        first.Files[0].SopInstanceUid.ShouldStartWith("2.25.");
        first.Files[0].SopInstanceUid.ShouldNotBe(original.GetString(DicomTags.SopInstanceUid));

        var stored = await http.GetByteArrayAsync($"api/projects/{project}/{first.Files[0].Target}/resources/DICOM/files/{first.Files[0].SopInstanceUid}.dcm");
        var dataset = DicomReader.Read(new MemoryStream(stored)).Dataset;
        dataset.GetString(DicomTags.PatientName).ShouldBe(subject);
        dataset.GetString(DicomTags.PatientId).ShouldBe(subject);
        dataset.GetString(DicomTags.PatientId).ShouldNotBe(original.GetString(DicomTags.PatientId));
        dataset.GetString(DicomTags.PatientIdentityRemoved).ShouldBe("YES");
        dataset.GetString(DicomTags.StudyDate).ShouldBe(original.GetString(DicomTags.StudyDate));
        dataset.GetString(DicomTags.StudyInstanceUid).ShouldNotBe(original.GetString(DicomTags.StudyInstanceUid));
        dataset.Where(e => e.Tag.IsPrivate).ShouldBeEmpty();
        // Nothing findable by the original identifiers.
        var byOriginal = await http.GetStringAsync($"dicom-web/projects/{project}/studies?StudyInstanceUID={original.GetString(DicomTags.StudyInstanceUid)}");
        byOriginal.ShouldBe("[]");
        // Neither the original nor the de-identified copy is left in the spool folder.
        StagingFiles.In(Path.Combine(server.DataDirectory, "uploads", "import")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Import_BrokenMultipartOrCorruptZip_IsABadRequest()
    {
        var project = await server.CreateProjectAsync();
        var http = server.Admin();
        using var cut = new ByteArrayContent("--cut\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.dcm\"\r\n\r\nDICM-and-then-nothing"u8.ToArray());
        cut.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=cut");
        var problem = await (await http.PostAsync($"api/projects/{project}/import", cut).ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
        problem.GetProperty("detail").GetString()!.ShouldContain("cannot be read");

        var zip = ZipOf([("a.txt", new byte[5000])]);
        zip[38] ^= 0xFF; // inside the first entry's compressed data (its local header is 30 bytes and the name 5)
        zip[39] ^= 0xFF;
        await http.PostAsync($"api/projects/{project}/import", new ByteArrayContent(zip)).ShouldHaveStatus(HttpStatusCode.BadRequest);

        // Damage to the central directory (at the end of a zip), whatever the field, is never the server's
        // error: what can be read is imported, or the request is refused; nothing is left behind.
        var good = ZipOf([("a.txt", new byte[5000]), ("b.txt", new byte[3000])]);
        var directory = good.AsSpan().LastIndexOf("PK\x01\x02"u8);
        var end = good.AsSpan().LastIndexOf("PK\x05\x06"u8);
        foreach (var (offset, value, size) in new (int, uint, int)[]
        {
            (directory + 42, 0x7FFF_FFF0, 4), // the second entry's local header offset, beyond the file
            (directory + 20, 0xFFFF_FFF0, 4), // its compressed size
            (directory + 24, 0x7FFF_FFF0, 4), // its uncompressed size
            (directory + 28, 0xFFFF, 2), // its name length
            (end + 16, 0x7FFF_FFF0, 4), // the central directory's offset
            (end + 10, 0xFFFF, 2), // the number of entries
        })
        {
            var damaged = good.ToArray();
            BitConverter.GetBytes(value).AsSpan(0, size).CopyTo(damaged.AsSpan(offset));
            var answer = await http.PostAsync($"api/projects/{project}/import", new ByteArrayContent(damaged));
            // A size made huge reads as a zip bomb: refused by the import limits (413).
            ((int)answer.StatusCode).ShouldBeOneOf([200, 400, 413], $"damage at {offset}: {await answer.Content.ReadAsStringAsync()}");
        }
        // An entry whose content does not match its declared length (the way of zip bombs) is refused, not cut short.
        var lying = good.ToArray();
        BitConverter.GetBytes(100u).CopyTo(lying.AsSpan(directory + 24));
        var refused = await (await http.PostAsync($"api/projects/{project}/import", new ByteArrayContent(lying)).ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
        refused.GetProperty("detail").GetString()!.ShouldContain("b.txt is damaged");
        StagingFiles.In(Path.Combine(server.DataDirectory, "uploads", "import")).ShouldBeEmpty();
    }
}
