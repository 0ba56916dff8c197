using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// Storage Commitment Push Model: only instances stored with the SOP class the request names are
/// committed; the report comes on the same association, or on a new one when the requestor released first.
/// </summary>
public sealed class StorageCommitmentTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TheReport_OnTheSameAssociation_CommitsOnlyWhatIsStoredAsNamed()
    {
        var project = await server.CreateProjectAsync();
        await server.PutNodeAsync("MODALITY_SC", project, "store");
        var (stored, dataset) = Instance();
        await using var client = await ConnectAsync("MODALITY_SC");
        var store = await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CStoreRequest, TestDicom.CtImageStorage, stored), dataset, CancellationToken.None);
        new DimseStatus(store[^1].Status).IsSuccess.ShouldBeTrue();
        var missing = TestDicom.NewUid();
        var transaction = TestDicom.NewUid();

        var action = await RequestCommitmentAsync(client, transaction,
            [new(TestDicom.CtImageStorage, stored), new(TestDicom.CtImageStorage, missing), new("1.2.840.10008.5.1.4.1.1.4", stored)]);
        var report = await client.ReceiveRequestAsync(Timeout, CancellationToken.None);
        await client.RespondAsync(report, DimseStatus.Success, CancellationToken.None);
        await client.ReleaseAsync(CancellationToken.None);

        new DimseStatus(action.Status).IsSuccess.ShouldBeTrue();
        report.CommandField.ShouldBe(DimseCommand.NEventReportRequest);
        report.Command.GetInteger(DicomTags.EventTypeId).ShouldBe(2); // failures exist
        var information = report.ReadDataSet()!;
        information.GetString(DicomTags.TransactionUid).ShouldBe(transaction);
        information.GetSequence(DicomTags.ReferencedSopSequence)!.Items.Select(i => i.GetString(DicomTags.ReferencedSopInstanceUid)).ShouldBe([stored]);
        var failed = information.GetSequence(DicomTags.FailedSopSequence)!.Items
            .Select(i => (i.GetString(DicomTags.ReferencedSopInstanceUid), i.GetInteger(DicomTags.FailureReason))).ToList();
        failed.ShouldBe([(missing, 0x0112L), (stored, 0x0119L)]);
    }

    [Fact]
    public async Task ARequestorThatReleasesAtOnce_GetsTheReportOnANewAssociation()
    {
        var project = await server.CreateProjectAsync();
        var (stored, dataset) = Instance();
        var reports = new ReportListener();
        using (var admin = server.Admin())
        {
            var body = System.Text.Json.JsonSerializer.Serialize(new { host = "127.0.0.1", port = reports.Port, allow = new[] { "store" }, project });
            (await admin.PutAsync("api/dicom/nodes/MODALITY_SC2", HttpAssertions.Json(body))).EnsureSuccessStatusCode();
        }
        var transaction = TestDicom.NewUid();
        await using (var client = await ConnectAsync("MODALITY_SC2"))
        {
            await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CStoreRequest, TestDicom.CtImageStorage, stored), dataset, CancellationToken.None);
            var action = await RequestCommitmentAsync(client, transaction, [new(TestDicom.CtImageStorage, stored)]);
            new DimseStatus(action.Status).IsSuccess.ShouldBeTrue();
            await client.ReleaseAsync(CancellationToken.None);
        }

        var (eventType, information) = await reports.Report.Task.WaitAsync(Timeout);

        eventType.ShouldBe((ushort)1);
        information.GetString(DicomTags.TransactionUid).ShouldBe(transaction);
        information.GetSequence(DicomTags.ReferencedSopSequence)!.Items.Single().GetString(DicomTags.ReferencedSopInstanceUid).ShouldBe(stored);
        (await reports.Serving.WaitAsync(Timeout)).CallingAeTitle.ShouldBe(DicomNodeServer.AeTitle);
    }

    private static async Task<DimseMessage> RequestCommitmentAsync(DimseClient client, string transaction, CommitmentItem[] items)
    {
        var command = new DicomDataset();
        command.SetString(DicomTags.RequestedSopClassUid, DicomVr.UI, DimseSopClasses.StorageCommitmentPushModel);
        command.SetUInt16(DicomTags.CommandField, DimseCommand.NActionRequest);
        command.SetUInt16(DicomTags.MessageId, 0);
        command.SetUInt16(DicomTags.CommandDataSetType, 0);
        command.SetString(DicomTags.RequestedSopInstanceUid, DicomVr.UI, DimseSopClasses.StorageCommitmentPushModelInstance);
        command.SetUInt16(DicomTags.ActionTypeId, StorageCommitment.RequestAction);
        using var encoded = new MemoryStream();
        DicomWriter.WriteDataset(encoded, StorageCommitment.ActionInformation(new CommitmentRequest(transaction, items)), TransferSyntax.ExplicitVrLittleEndian);
        return (await client.RequestAsync(3, command, encoded.ToArray(), CancellationToken.None))[^1];
    }

    private static (string Instance, byte[] Dataset) Instance()
    {
        var instance = TestDicom.NewUid();
        return (instance, TestDicom.Dataset(TestDicom.NewUid(), TestDicom.NewUid(), instance));
    }

    private Task<DimseClient> ConnectAsync(string calling) => DimseClient.ConnectAsync("127.0.0.1", server.Port,
        new AssociateRequest(DicomNodeServer.AeTitle, calling,
            [
                new PresentationContextProposal(1, TestDicom.CtImageStorage, [TransferSyntax.ExplicitVrLittleEndian.Uid]),
                new PresentationContextProposal(3, DimseSopClasses.StorageCommitmentPushModel, [TransferSyntax.ExplicitVrLittleEndian.Uid]),
            ],
            new UserInformation { MaxPduLength = 16384 }), Timeout, CancellationToken.None);

    /// <summary>The requestor's own acceptor, where a report on a new association arrives.</summary>
    private sealed class ReportListener : IAssociationHandler
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

        public ReportListener()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Serving = Task.Run(async () =>
            {
                using var client = await _listener.AcceptTcpClientAsync();
                _listener.Stop();
                var policy = new AcceptorPolicy(16384, Timeout, Timeout) { AbstractSyntaxes = new HashSet<string> { DimseSopClasses.StorageCommitmentPushModel } };
                return await new AssociationAcceptor(policy, this).ServeAsync(client.GetStream(), null, CancellationToken.None);
            });
        }

        public int Port { get; }

        public Task<AssociationOutcome> Serving { get; }

        public TaskCompletionSource<(ushort, DicomDataset)> Report { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ValueTask<AssociationDecision> NegotiateAsync(AssociateRequest request, EndPoint? peer, CancellationToken ct) =>
            ValueTask.FromResult(AssociationDecision.Accepted(new Receiver(Report)));

        private sealed class Receiver(TaskCompletionSource<(ushort, DicomDataset)> report) : DimseService
        {
            public override ValueTask<DimseStatus> CommitmentReportedAsync(ushort eventType, DicomDataset eventInformation, CancellationToken ct)
            {
                report.TrySetResult((eventType, eventInformation));
                return ValueTask.FromResult(DimseStatus.Success);
            }
        }
    }
}
