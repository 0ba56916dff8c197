using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.DicomWeb;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>C-STORE into the archive from dcmtk's storescu and dcmsend, and from a peer that misbehaves.</summary>
public sealed class CStoreTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Storescu_StoresASeries_IntoTheCallingAesProject_AsSent()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("MODALITY1", project, "echo", "store");
        var folder = TestCorpus.File("dcm4che/testdata-series");
        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();

        var (exitCode, output) = await Dcmtk.RunAsync("storescu", "-aet", "MODALITY1", "-aec", DicomNodeServer.AeTitle, "+sd", "127.0.0.1", server.PortText, folder);

        exitCode.ShouldBe(0, output);
        var first = DicomReader.ReadFile(files[0]);
        var study = first.Dataset.GetString(DicomTags.StudyInstanceUid)!;
        using var http = server.Http(owner);
        var instances = await http.GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies/{study}/instances");
        instances.GetArrayLength().ShouldBe(files.Count);
        var stored = await Multipart.ReadAsync(await http.GetAsync(
            $"dicom-web/projects/{project}/studies/{study}/series/{first.Dataset.GetString(DicomTags.SeriesInstanceUid)}/instances/{first.SopInstanceUid}"));
        var back = DicomReader.Read(new MemoryStream(stored.Single().Bytes));
        // storescu re-encodes what it sends (trailing spaces of values dropped, perhaps another syntax): every element is there, the pixels are the file's.
        back.Dataset.Select(e => e.Tag).ShouldBe(first.Dataset.Select(e => e.Tag));
        ((DicomValueElement)back.Dataset[DicomTags.PixelData]!).Bytes.ToArray().SequenceEqual(((DicomValueElement)first.Dataset[DicomTags.PixelData]!).Bytes.ToArray()).ShouldBeTrue();
        back.Meta.GetString(DicomTags.SourceApplicationEntityTitle).ShouldBe("MODALITY1");
    }

    [Fact]
    public async Task Dcmsend_ToAProjectsOwnAeTitle_StoresThere_AndAnUnknownCalledTitleIsRejected()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        var ae = "P" + project[1..10].ToUpperInvariant();
        await server.Http(owner).PatchAsync($"api/projects/{project}", HttpAssertions.Json($"{{\"dicom\":{{\"aeTitle\":\"{ae}\"}}}}")).ShouldHaveStatus(HttpStatusCode.OK);
        await server.PutNodeAsync("SENDER", project, "store"); // registered for that project: an AE acts in its own project only
        var path = TestCorpus.File("pydicom-data/JPEG-LL.dcm");

        var (exitCode, output) = await Dcmsend("SENDER", ae, path);
        var (wrong, wrongOutput) = await Dcmsend("SENDER", "NO_SUCH_AE", path);

        exitCode.ShouldBe(0, output);
        var header = DicomReader.ReadFile(path, DicomReadOptions.Headers).Dataset;
        var found = await server.Http(owner).GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies?StudyInstanceUID={header.GetString(DicomTags.StudyInstanceUid)}");
        found.GetArrayLength().ShouldBe(1);
        wrong.ShouldNotBe(0);
        wrongOutput.ShouldContain("Association Rejected", Case.Insensitive);
    }

    [Fact]
    public async Task AStoreThatNoProjectTakes_IsRefused_WithTheReason()
    {
        await server.PutNodeAsync("NOWHERE", null, "store");

        var status = await StoreAsync("NOWHERE", Instance(out _));

        status.Code.ShouldBe((ushort)0x0124);
        status.Comment.ShouldNotBeNull().ShouldContain("No project takes this store");
    }

    [Fact]
    public async Task ADatasetThatIsNotTheDeclaredInstance_OrNotDicom_IsRefused_AndNothingIsStored()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("LIAR", project, "store");
        var bytes = Instance(out var uids);

        var mismatched = await StoreAsync("LIAR", bytes, declaredInstance: TestDicom.NewUid());
        // Patient's Name claiming more bytes than follow: truncated, so unreadable.
        var garbage = await StoreAsync("LIAR", [0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N', 0xF0, 0x7F, (byte)'D', (byte)'O', (byte)'E', (byte)'^'], declaredInstance: uids.Instance);

        mismatched.Code.ShouldBe((ushort)0xA900, mismatched.ToString());
        garbage.Code.ShouldBe((ushort)0xC000, garbage.ToString());
        var found = await server.Http(owner).GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies?StudyInstanceUID={uids.Study}");
        found.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task AStoreAbortedMidDataset_StoresNothing_AndLeavesNoSpooledFile()
    {
        var owner = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("QUITTER", project, "store");
        var bytes = Instance(out var uids);
        await using (var client = await ConnectAsync("QUITTER"))
        {
            var command = DimseCommand.Request(DimseCommand.CStoreRequest, TestDicom.CtImageStorage, uids.Instance);
            command.SetUInt16(DicomTags.MessageId, 1);
            command.SetUInt16(DicomTags.CommandDataSetType, 0);
            await client.Association.SendPduAsync(new DataTransfer([new Pdv(1, true, true, DimseCommand.Encode(command))]), CancellationToken.None);
            await client.Association.SendPduAsync(new DataTransfer([new Pdv(1, false, false, bytes.AsMemory(0, bytes.Length / 2))]), CancellationToken.None);
            await client.AbortAsync(CancellationToken.None);
        }

        var spool = Path.Combine(server.DataDirectory, "uploads", "import");
        await Poll.UntilAsync(() => Task.FromResult(StagingFiles.In(spool).Count(f => Path.GetFileName(f).StartsWith("dimse-", StringComparison.Ordinal))), n => n == 0, "the spooled part is deleted");
        var found = await server.Http(owner).GetFromJsonAsync<JsonElement>($"dicom-web/projects/{project}/studies?StudyInstanceUID={uids.Study}");
        found.GetArrayLength().ShouldBe(0);
        // The node goes on serving.
        (await StoreAsync("QUITTER", bytes)).ShouldBe(DimseStatus.Success);
    }

    [Fact]
    public async Task AUserIdentity_IsVerified_AndItsRightsApply()
    {
        var owner = await server.CreateUserAsync();
        var stranger = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(owner);
        await server.PutNodeAsync("WORKSTATION", project, "store");
        var path = TestCorpus.File("dcm4che/testdata-series/MR01.dcm");

        var (wrong, wrongOutput) = await Dcmtk.RunAsync("storescu", "-v", "-aet", "WORKSTATION", "-aec", DicomNodeServer.AeTitle,
            "-usr", owner, "-pwd", "not-the-password", "127.0.0.1", server.PortText, path);
        var (outsider, outsiderOutput) = await Dcmtk.RunAsync("storescu", "-v", "-aet", "WORKSTATION", "-aec", DicomNodeServer.AeTitle,
            "-usr", stranger, "-pwd", TestServer.PasswordOf(stranger), "127.0.0.1", server.PortText, path);
        var (member, memberOutput) = await Dcmtk.RunAsync("storescu", "-v", "-aet", "WORKSTATION", "-aec", DicomNodeServer.AeTitle,
            "-usr", owner, "-pwd", TestServer.PasswordOf(owner), "127.0.0.1", server.PortText, path);

        wrong.ShouldNotBe(0);
        wrongOutput.ShouldContain("Association Rejected", Case.Insensitive);
        outsider.ShouldNotBe(0);
        outsiderOutput.ShouldContain("Received Store Response (Unknown Status: 0x124)"); // refused: not authorized
        member.ShouldBe(0, memberOutput);
    }

    private Task<(int ExitCode, string Output)> Dcmsend(string calling, string called, string path) =>
        Dcmtk.RunAsync("dcmsend", "-aet", calling, "-aec", called, "127.0.0.1", server.PortText, path);

    private static byte[] Instance(out (string Study, string Instance) uids)
    {
        uids = (TestDicom.NewUid(), TestDicom.NewUid());
        return TestDicom.Dataset(uids.Study, TestDicom.NewUid(), uids.Instance);
    }

    private async Task<DimseStatus> StoreAsync(string calling, byte[] dataset, string? declaredInstance = null)
    {
        await using var client = await ConnectAsync(calling);
        var instance = declaredInstance ?? DicomReader.ReadDataset(new MemoryStream(dataset), TransferSyntax.ExplicitVrLittleEndian).GetString(DicomTags.SopInstanceUid)!;
        var responses = await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CStoreRequest, TestDicom.CtImageStorage, instance), dataset, CancellationToken.None);
        await client.ReleaseAsync(CancellationToken.None);
        var final = responses[^1];
        return new DimseStatus(final.Status, final.Command.GetString(DicomTags.ErrorComment));
    }

    private Task<DimseClient> ConnectAsync(string calling) => DimseClient.ConnectAsync("127.0.0.1", server.Port,
        new AssociateRequest(DicomNodeServer.AeTitle, calling, [new PresentationContextProposal(1, TestDicom.CtImageStorage, [TransferSyntax.ExplicitVrLittleEndian.Uid])],
            new UserInformation { MaxPduLength = 16384 }), Timeout, CancellationToken.None);
}
