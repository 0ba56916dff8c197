using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>C-FIND in the Patient Root and Study Root models against dcmtk's findscu, answering from the projects the caller may read.</summary>
public sealed class CFindTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>, IAsyncLifetime
{
    private string _project = null!;
    private string _other = null!;
    private readonly string _patientId = "FIND-" + Guid.NewGuid().ToString("N")[..8];
    private readonly (string Study, string Series)[] _series = [(TestDicom.NewUid(), TestDicom.NewUid()), (TestDicom.NewUid(), TestDicom.NewUid())];
    private readonly string _hiddenStudy = TestDicom.NewUid();

    public async ValueTask InitializeAsync()
    {
        _project = await server.CreateProjectAsync();
        _other = await server.CreateProjectAsync();
        using var admin = new Tessera.Client.TesseraClient(server.Admin());
        // Two studies of one patient in the AE's project, three instances in the first, one in the second.
        for (var i = 0; i < 4; i++)
        {
            var (study, series) = _series[i < 3 ? 0 : 1];
            var bytes = TestDicom.Create(study, series, TestDicom.NewUid(), _patientId, "Doe^Jane", accession: i < 3 ? "ACC1" : "ACC2", instanceNumber: (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await admin.ImportFileAsync(_project, $"f{i}.dcm", new MemoryStream(bytes));
        }
        // The same patient in another project, which the AE may not read.
        await admin.ImportFileAsync(_other, "hidden.dcm", new MemoryStream(TestDicom.Create(_hiddenStudy, TestDicom.NewUid(), TestDicom.NewUid(), _patientId, "Doe^Jane")));
        await server.PutNodeAsync("FINDER", _project, "echo", "find");
        await server.PutNodeAsync("NOFIND", _project, "echo");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task StudyRoot_StudyLevel_ReturnsTheAsKedKeys_OfReadableStudiesOnly()
    {
        var answers = await FindAsync("FINDER", "-S", "QueryRetrieveLevel=STUDY", $"PatientID={_patientId}", "StudyInstanceUID", "AccessionNumber",
            "NumberOfStudyRelatedInstances", "PatientName");

        answers.Select(a => a.GetString(DicomTags.StudyInstanceUid)).Order(StringComparer.Ordinal).ShouldBe(_series.Select(s => s.Study).Order(StringComparer.Ordinal));
        var first = answers.Single(a => a.GetString(DicomTags.StudyInstanceUid) == _series[0].Study);
        first.GetString(DicomTags.AccessionNumber).ShouldBe("ACC1");
        first.GetString(DicomTags.NumberOfStudyRelatedInstances).ShouldBe("3");
        first.GetString(DicomTags.PatientName).ShouldBe("Doe^Jane");
        first.GetString(DicomTags.QueryRetrieveLevel).ShouldBe("STUDY");
        first.GetString(DicomTags.RetrieveAeTitle).ShouldBe(DicomNodeServer.AeTitle);
        first.Contains(DicomTags.StudyDate).ShouldBeFalse(); // only what was asked
    }

    [Fact]
    public async Task Wildcards_Ranges_AndLowerLevels_Match_AsPs34Says()
    {
        (await FindAsync("FINDER", "-S", "QueryRetrieveLevel=STUDY", "PatientName=DOE*", $"PatientID={_patientId}")).Count.ShouldBe(2); // names match case-insensitively
        (await FindAsync("FINDER", "-S", "QueryRetrieveLevel=STUDY", $"PatientID={_patientId}", "StudyDate=20260101-20260131")).Count.ShouldBe(2);
        (await FindAsync("FINDER", "-S", "QueryRetrieveLevel=STUDY", $"PatientID={_patientId}", "StudyDate=-20251231")).Count.ShouldBe(0);
        (await FindAsync("FINDER", "-S", "QueryRetrieveLevel=STUDY", $"PatientID={_patientId}", "AccessionNumber=ACC?")).Count.ShouldBe(2);

        var series = await FindAsync("FINDER", "-S", "QueryRetrieveLevel=SERIES", $"StudyInstanceUID={_series[0].Study}", "SeriesInstanceUID", "Modality", "NumberOfSeriesRelatedInstances");
        series.Single().GetString(DicomTags.SeriesInstanceUid).ShouldBe(_series[0].Series);
        series.Single().GetString(DicomTags.NumberOfSeriesRelatedInstances).ShouldBe("3");

        var images = await FindAsync("FINDER", "-S", "QueryRetrieveLevel=IMAGE", $"StudyInstanceUID={_series[0].Study}", $"SeriesInstanceUID={_series[0].Series}", "SOPInstanceUID", "InstanceNumber");
        images.Select(i => i.GetString(DicomTags.InstanceNumber)?.Trim()).ShouldBe(["1", "2", "3"]);
    }

    [Fact]
    public async Task PatientRoot_PatientLevel_GathersThePatientsStudies()
    {
        var patients = await FindAsync("FINDER", "-P", "QueryRetrieveLevel=PATIENT", $"PatientID={_patientId}", "PatientName", "NumberOfPatientRelatedStudies",
            "NumberOfPatientRelatedInstances");

        var patient = patients.ShouldHaveSingleItem();
        patient.GetString(DicomTags.PatientName).ShouldBe("Doe^Jane");
        patient.GetString(DicomTags.NumberOfPatientRelatedStudies).ShouldBe("2"); // not the hidden project's third
        patient.GetString(DicomTags.NumberOfPatientRelatedInstances).ShouldBe("4");
    }

    [Fact]
    public async Task AnAeWithoutFind_OrAnIdentifierWithoutALevel_IsRefused()
    {
        var (_, refused) = await Dcmtk.RunAsync("findscu", "-v", "-S", "-aet", "NOFIND", "-aec", DicomNodeServer.AeTitle, "-k", "QueryRetrieveLevel=STUDY", "127.0.0.1", server.PortText);
        refused.ShouldContain("Received Final Find Response (Unknown Status: 0x124)"); // refused: not authorized

        var (_, noLevel) = await Dcmtk.RunAsync("findscu", "-v", "-S", "-aet", "FINDER", "-aec", DicomNodeServer.AeTitle, "-k", "PatientID=X", "127.0.0.1", server.PortText);
        noLevel.ShouldContain("Received Final Find Response (Error: DataSetDoesNotMatchSOPClass)"); // 0xA900
    }

    /// <summary>Runs findscu with -X and reads back the responses it wrote.</summary>
    private async Task<List<DicomDataset>> FindAsync(string callingAe, string model, params string[] keys)
    {
        var directory = Directory.CreateTempSubdirectory("tessera-findscu-").FullName;
        try
        {
            string[] arguments = ["-v", model, "-aet", callingAe, "-aec", DicomNodeServer.AeTitle, "-X", "-od", directory, .. keys.SelectMany(k => new[] { "-k", k }), "127.0.0.1", server.PortText];
            var (exitCode, output) = await Dcmtk.RunAsync("findscu", arguments);
            exitCode.ShouldBe(0, output);
            return Directory.GetFiles(directory, "rsp*.dcm").Order(StringComparer.Ordinal).Select(f => DicomReader.ReadFile(f).Dataset).ToList();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
