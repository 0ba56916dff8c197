using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Server.Tests.DicomWeb;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Import;

/// <summary>
/// Pseudonyms of de-identifying projects: the original PatientID and name are nowhere (the issue's
/// SMITH^JOHN / PID777), the same patient gets the same pseudonym across imports and entry points and
/// under concurrency, and the mapping is for owners only, kept only when the project says so.
/// </summary>
public sealed class PseudonymTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Name = "SMITH^JOHN";
    private const string Id = "PID777";
    private const string Accession = "ACC777";

    private static readonly string[] s_originals = [Id, "SMITH", "JOHN", Accession];

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private async Task<string> DeidentifyingProjectAsync(string? owner = null, string deidentification = "{\"enabled\":true}")
    {
        var project = await server.CreateProjectAsync(owner);
        using var http = owner is null ? server.Admin() : server.Http(owner);
        await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json($"{{\"dicom\":{{\"deidentification\":{deidentification}}}}}"))
            .ShouldHaveStatus(HttpStatusCode.OK);
        return project;
    }

    private static byte[] Instance(string patientId, string patientName = "Doe^Jane", string? study = null, string? issuer = null, string? accession = null)
    {
        var bytes = TestDicom.Create(study ?? TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid(), patientId, patientName, accession);
        if (issuer is null)
            return bytes;
        var file = DicomReader.Read(new MemoryStream(bytes));
        file.Dataset.SetString(DicomTags.IssuerOfPatientId, issuer);
        using var output = new MemoryStream();
        DicomWriter.WriteFile(output, file.Dataset, TransferSyntax.ExplicitVrLittleEndian);
        return output.ToArray();
    }

    private static async Task<(ImportReportDto Report, string Text)> ImportAsync(HttpClient http, string project, byte[] content)
    {
        var response = await http.PostAsync($"api/projects/{project}/import", new ByteArrayContent(content)).ShouldHaveStatus(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        return (JsonSerializer.Deserialize<ImportReportDto>(text, s_json)!, text);
    }

    private static byte[] Zip(params byte[][] files)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < files.Length; i++)
            {
                using var entry = zip.CreateEntry($"{i}.dcm").Open();
                entry.Write(files[i]);
            }
        }
        return buffer.ToArray();
    }

    private static string SubjectOf(ImportReportDto report) => report.Sessions.Single().Split('/')[1];

    private static async Task<List<string>> SubjectsAsync(HttpClient http, string project)
    {
        var page = await (await http.GetAsync($"api/projects/{project}/subjects?limit=1000").ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<PageDto<SubjectDto>>();
        return page.Items.Select(s => s.Label).ToList();
    }

    private static void ShouldHoldNoOriginal(string text, string where)
    {
        foreach (var original in s_originals)
            text.ShouldNotContain(original, Case.Insensitive, $"{where} holds '{original}'");
    }

    [Fact]
    public async Task Issue_SmithJohnPid777_IsStoredUnderAPseudonym_WithNothingOfTheOriginalAnywhere()
    {
        var project = await DeidentifyingProjectAsync();
        using var http = server.Admin();

        var (report, text) = await ImportAsync(http, project, Instance(Id, Name, accession: Accession));

        report.Stored.ShouldBe(1, text);
        var pseudonym = $"{project}-0001";
        SubjectOf(report).ShouldBe(pseudonym);
        ShouldHoldNoOriginal(text, "the import report");
        var target = report.Files[0].Target!;
        var stored = await http.GetByteArrayAsync($"api/projects/{project}/{target}/resources/DICOM/files/{report.Files[0].SopInstanceUid}.dcm");
        var dataset = DicomReader.Read(new MemoryStream(stored)).Dataset;
        dataset.GetString(DicomTags.PatientName).ShouldBe(pseudonym);
        dataset.GetString(DicomTags.PatientId).ShouldBe(pseudonym);
        ShouldHoldNoOriginal(Encoding.Latin1.GetString(stored), "the stored file");
        // The index, the hierarchy and the searches know the pseudonym only.
        ShouldHoldNoOriginal(await http.GetStringAsync($"dicom-web/projects/{project}/studies?includefield=all"), "QIDO-RS");
        (await http.GetStringAsync($"dicom-web/projects/{project}/studies?PatientID={Id}")).ShouldBe("[]");
        (await http.GetStringAsync($"dicom-web/projects/{project}/studies?PatientID={pseudonym}")).ShouldContain(pseudonym);
        ShouldHoldNoOriginal(await http.GetStringAsync($"api/projects/{project}/subjects/{pseudonym}/sessions"), "the sessions");
        // The mapping is not kept: nothing to read, not even for the owner.
        var mapping = await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms").ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<PseudonymMappingDto>();
        mapping.KeepMapping.ShouldBeFalse();
        mapping.Pseudonyms.ShouldBeEmpty();
        var log = await Poll.UntilAsync(
            async () => await http.GetStringAsync($"api/audit?project={project}&limit=1000"),
            l => l.Contains("/dicom/pseudonyms", StringComparison.Ordinal), "the mapping read is in the audit log");
        ShouldHoldNoOriginal(log, "the audit log");
    }

    [Fact]
    public async Task SamePatient_AcrossImportsZipAndStow_GetsOnePseudonym_AnotherPatientOrIssuerTheNext()
    {
        var project = await DeidentifyingProjectAsync(deidentification: """{"enabled":true,"pseudonym":{"method":"counter","pattern":"SUBJ_{n:000}"}}""");
        using var http = server.Admin();

        var (first, _) = await ImportAsync(http, project, Instance("P-A"));
        var (zipped, _) = await ImportAsync(http, project, Zip(Instance("P-A"), Instance("P-A")));
        var stow = await http.PostAsync($"dicom-web/projects/{project}/studies", Multipart.Dicom([Instance("P-A")])).ShouldHaveStatus(HttpStatusCode.OK);
        var (other, _) = await ImportAsync(http, project, Instance("P-B"));
        var (issued, _) = await ImportAsync(http, project, Instance("P-A", issuer: "HOSPITAL-2"));

        SubjectOf(first).ShouldBe("SUBJ_001");
        zipped.Sessions.ShouldAllBe(s => s.StartsWith("subjects/SUBJ_001/", StringComparison.Ordinal));
        zipped.Sessions.Count.ShouldBe(2);
        (await stow.Content.ReadAsStringAsync()).ShouldNotContain("P-A");
        SubjectOf(other).ShouldBe("SUBJ_002");
        SubjectOf(issued).ShouldBe("SUBJ_003");
        (await SubjectsAsync(http, project)).ShouldBe(["SUBJ_001", "SUBJ_002", "SUBJ_003"], ignoreOrder: true);
        var sessions = await http.GetStringAsync($"api/projects/{project}/subjects/SUBJ_001/sessions");
        JsonDocument.Parse(sessions).RootElement.GetProperty("total").GetInt32().ShouldBe(4); // first, two zipped, one stowed
    }

    [Fact]
    public async Task ParallelImports_OfTheSameNewPatient_MakeOnePseudonym_OfDifferentPatientsDistinctOnes()
    {
        var project = await DeidentifyingProjectAsync();
        var imports = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var http = server.Admin();
            return SubjectOf((await ImportAsync(http, project, Instance("TWIN-1"))).Report);
        }).ToList();
        var labels = await Task.WhenAll(imports);
        labels.Distinct().ShouldHaveSingleItem().ShouldBe($"{project}-0001");

        var others = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            using var http = server.Admin();
            return SubjectOf((await ImportAsync(http, project, Instance($"OTHER-{i}"))).Report);
        }));
        others.Distinct().Count().ShouldBe(6);
        others.ShouldBe(Enumerable.Range(2, 6).Select(n => $"{project}-{n:0000}"), ignoreOrder: true);
        using var admin = server.Admin();
        (await SubjectsAsync(admin, project)).Count.ShouldBe(7);
    }

    [Fact]
    public async Task HmacMethod_GivesAKeyedHashLabel_SameForTheSamePatient_DifferentInAnotherProject()
    {
        var project = await DeidentifyingProjectAsync(deidentification: """{"enabled":true,"pseudonym":{"method":"hmac"}}""");
        var other = await DeidentifyingProjectAsync(deidentification: """{"enabled":true,"pseudonym":{"method":"hmac","prefix":"X"}}""");
        using var http = server.Admin();

        var first = SubjectOf((await ImportAsync(http, project, Instance(Id, Name))).Report);
        var again = SubjectOf((await ImportAsync(http, project, Instance(Id, Name))).Report);
        var elsewhere = SubjectOf((await ImportAsync(http, other, Instance(Id, Name))).Report);

        first.ShouldMatch($"^{project}-[A-Z2-7]{{10}}$");
        again.ShouldBe(first);
        elsewhere.ShouldMatch("^X[A-Z2-7]{10}$");
        elsewhere[1..].ShouldNotBe(first[(project.Length + 1)..]);
        var settings = await (await http.GetAsync($"api/projects/{project}")).ReadJson<ProjectDto>();
        settings.Dicom!.Deidentification!.Pseudonym.ShouldBe(new PseudonymSettingsDto("hmac", Prefix: "{project}-"));
        (await http.GetStringAsync($"api/projects/{project}")).ShouldNotContain("key", Case.Insensitive);
    }

    [Fact]
    public async Task Mapping_IsForOwnersOnly_ExportsAsCsv_AndSwitchingItOffForgetsTheOriginals()
    {
        var owner = await server.CreateUserAsync();
        var project = await DeidentifyingProjectAsync(owner, """{"enabled":true,"keepMapping":true}""");
        var roles = new Dictionary<string, string>();
        using (var client = server.Client(owner))
        {
            foreach (var (role, level) in new[] { ("member", Role.Member), ("collaborator", Role.Collaborator) })
            {
                roles[role] = await server.CreateUserAsync();
                await client.SetMemberAsync(project, roles[role], level);
            }
        }
        using var http = server.Http(owner);
        var (report, reportText) = await ImportAsync(http, project, Instance(Id, Name));
        await ImportAsync(http, project, Instance("=HYPERLINK(\"x\")", issuer: "SITE,2"));
        ShouldHoldNoOriginal(reportText, "the owner's import report");

        var mapping = await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms").ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<PseudonymMappingDto>();
        mapping.KeepMapping.ShouldBeTrue();
        mapping.Pseudonyms.Select(p => (p.Pseudonym, p.PatientId, p.IssuerOfPatientId))
            .ShouldBe([(SubjectOf(report), Id, null), ($"{project}-0002", "=HYPERLINK(\"x\")", "SITE,2")]);
        var csv = await http.GetAsync($"api/projects/{project}/dicom/pseudonyms?format=csv").ShouldHaveStatus(HttpStatusCode.OK);
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csv.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("pseudonym,patient_id,issuer_of_patient_id,study_instance_uid,created_at");
        lines[1].ShouldStartWith($"{project}-0001,{Id},,");
        lines[2].ShouldStartWith($"{project}-0002,\"'=HYPERLINK(\"\"x\"\")\",\"SITE,2\",");

        // Members and collaborators are refused; outsiders and anonymous callers do not learn the private project exists.
        foreach (var user in new[] { roles["member"], roles["collaborator"] })
        {
            using var other = server.Http(user);
            await other.GetAsync($"api/projects/{project}/dicom/pseudonyms").ShouldHaveStatus(HttpStatusCode.Forbidden);
            await other.GetAsync($"api/projects/{project}/dicom/pseudonyms?format=csv").ShouldHaveStatus(HttpStatusCode.Forbidden);
        }
        using (var outsider = server.Http(await server.CreateUserAsync()))
            await outsider.GetAsync($"api/projects/{project}/dicom/pseudonyms?format=csv").ShouldHaveStatus(HttpStatusCode.NotFound);
        using (var anonymous = server.Http())
            await anonymous.GetAsync($"api/projects/{project}/dicom/pseudonyms").ShouldHaveStatus(HttpStatusCode.NotFound);
        using (var admin = server.Admin())
        {
            var log = await Poll.UntilAsync(
                async () => await (await admin.GetAsync($"api/audit?project={project}&limit=1000")).ReadJson<PageDto<AuditEntryDto>>(),
                page => page.Items.Count(e => e.Action == "GET /api/projects/{p}/dicom/pseudonyms") >= 6, "the mapping reads are in the audit log");
            log.Items.Where(e => e.Action == "GET /api/projects/{p}/dicom/pseudonyms").Select(e => e.Status).ShouldContain(403);
        }

        // Off: the originals go, the one-way lookup stays, so the patient keeps the pseudonym.
        var patch = await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json("""{"dicom":{"deidentification":{"enabled":true,"keepMapping":false}}}"""))
            .ShouldHaveStatus(HttpStatusCode.OK);
        (await patch.ReadJson<ProjectDto>()).Dicom!.Deidentification!.KeepMapping.ShouldBe(false);
        var forgotten = await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms")).ReadJson<PseudonymMappingDto>();
        forgotten.KeepMapping.ShouldBeFalse();
        forgotten.Pseudonyms.ShouldBeEmpty();
        await http.GetAsync($"api/projects/{project}/dicom/pseudonyms?format=csv").ShouldHaveStatus(HttpStatusCode.Conflict);
        SubjectOf((await ImportAsync(http, project, Instance(Id, Name))).Report).ShouldBe(SubjectOf(report));

        // On again: an original comes back only when its patient is imported again.
        await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json("""{"dicom":{"deidentification":{"enabled":true,"keepMapping":true}}}"""))
            .ShouldHaveStatus(HttpStatusCode.OK);
        (await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms")).ReadJson<PseudonymMappingDto>()).Pseudonyms.ShouldBeEmpty();
        await ImportAsync(http, project, Instance(Id, Name));
        (await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms")).ReadJson<PseudonymMappingDto>()).Pseudonyms
            .Select(p => (p.Pseudonym, p.PatientId)).ShouldBe([(SubjectOf(report), Id)]);
    }

    [Theory]
    [InlineData("""{"method":"counter","pattern":"{project}"}""", "exactly once")]
    [InlineData("""{"method":"counter","pattern":"{n}-{n}"}""", "exactly once")]
    [InlineData("""{"method":"counter","pattern":"{PatientID}-{n}"}""", "only {project}, {n} and {n:0000}")]
    [InlineData("""{"method":"counter","pattern":"S {n}"}""", "not a valid subject label")]
    [InlineData("""{"method":"counter","pattern":"S{n:00x0}"}""", "only {project}, {n} and {n:0000}")]
    [InlineData("""{"method":"counter","pattern":"S{n"}""", "unclosed")]
    [InlineData("""{"method":"counter","pattern":"S}{n}"}""", "without its '{'")]
    [InlineData("""{"method":"counter","pattern":"{project}{project}{project}{project}{project}{project}-{n}"}""", "longer than 64")]
    [InlineData("""{"method":"hmac","prefix":"{n}-"}""", "only {project} is a placeholder")]
    [InlineData("""{"method":"hmac","prefix":"a/b"}""", "not a valid subject label")]
    [InlineData("""{"method":"md5"}""", "'counter' or 'hmac'")]
    public async Task PseudonymSettings_ThatCouldMakeABadLabel_AreRefused(string pseudonym, string message)
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        var response = await http.PatchAsync($"api/projects/{project}",
            HttpAssertions.Json("""{"dicom":{"deidentification":{"enabled":true,"pseudonym":""" + pseudonym + "}}}")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await response.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain(message);
    }

    [Fact]
    public async Task Templates_OfADeidentifyingProject_MayUseOnlyDeidentifiedValues()
    {
        var project = await DeidentifyingProjectAsync();
        using var http = server.Admin();
        foreach (var (template, keyword) in new[] { ("{AccessionNumber}", "AccessionNumber"), ("{StudyID|StudyUidHash}", "StudyID"), ("{StudyDate}_{StudyUidHash}", "StudyDate"), ("{PatientBirthDate}", "PatientBirthDate") })
        {
            var refused = await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json("{\"dicom\":{\"sessionLabel\":\"" + template + "\"}}"))
                .ShouldHaveStatus(HttpStatusCode.BadRequest);
            (await refused.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain($"names {keyword}, which de-identification");
        }
        // Enabling de-identification is checked against the templates already there, too.
        var plain = await server.CreateProjectAsync();
        await http.PatchAsync($"api/projects/{plain}", HttpAssertions.Json("""{"dicom":{"sessionLabel":"{PatientName}_{AccessionNumber}"}}""")).ShouldHaveStatus(HttpStatusCode.OK);
        await http.PatchAsync($"api/projects/{plain}", HttpAssertions.Json("""{"dicom":{"deidentification":{"enabled":true}}}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        // What de-identification keeps is allowed: the pseudonym, remapped UIDs' hash, the modality, full dates when retained.
        await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json("""{"dicom":{"sessionLabel":"{PatientID}_{Modality}_{StudyUidHash}"}}""")).ShouldHaveStatus(HttpStatusCode.OK);
        await http.PatchAsync($"api/projects/{project}", HttpAssertions.Json(
            """{"dicom":{"sessionLabel":"{StudyDate}_{StudyUidHash}","deidentification":{"enabled":true,"retainLongitudinalTemporal":true}}}""")).ShouldHaveStatus(HttpStatusCode.OK);

        // The default template, with the accession number in the original, labels by the remapped study alone.
        var fresh = await DeidentifyingProjectAsync();
        var (report, text) = await ImportAsync(http, fresh, Instance(Id, Name, accession: Accession));
        report.Sessions.Single().ShouldMatch($"^subjects/{fresh}-0001/sessions/[0-9a-f]{{8}}$");
        ShouldHoldNoOriginal(text, "the import report");
    }

    [Fact]
    public async Task FileWithoutPatientId_GetsAPseudonymOfItsOwnPerStudy_MappedToThatStudy()
    {
        var owner = await server.CreateUserAsync();
        var project = await DeidentifyingProjectAsync(owner, """{"enabled":true,"keepMapping":true}""");
        using var http = server.Http(owner);
        var study = TestDicom.NewUid();

        var (first, text) = await ImportAsync(http, project, Instance("", study: study));
        var (same, _) = await ImportAsync(http, project, Instance("", study: study));
        var (other, _) = await ImportAsync(http, project, Instance(""));

        SubjectOf(first).ShouldBe($"{project}-0001");
        SubjectOf(same).ShouldBe($"{project}-0001");
        SubjectOf(other).ShouldBe($"{project}-0002");
        first.Files[0].Warnings.ShouldContain("no PatientID: the study's patient got a pseudonym of its own");
        text.ShouldNotContain("NOPID");
        // The data custodian can still say whose the pseudonym is: the original study it stands for.
        var mapping = await (await http.GetAsync($"api/projects/{project}/dicom/pseudonyms").ShouldHaveStatus(HttpStatusCode.OK)).ReadJson<PseudonymMappingDto>();
        mapping.Pseudonyms.Select(p => (p.Pseudonym, p.PatientId, p.StudyInstanceUid)).First().ShouldBe(($"{project}-0001", (string?)null, study));
        var csv = await http.GetStringAsync($"api/projects/{project}/dicom/pseudonyms?format=csv");
        csv.ShouldContain($"\r\n{project}-0001,,,{study},");
    }
}
