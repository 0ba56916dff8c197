using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Network;

/// <summary>The acceptor against dcmtk's echoscu and storescu, and against broken peers.</summary>
public sealed class AssociationAcceptorTests
{
    private static readonly AcceptorPolicy Policy = new(16384, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2))
    {
        AcceptsStorage = true,
        AbstractSyntaxes = new HashSet<string> { DimseSopClasses.Verification, DimseSopClasses.StudyRootFind },
    };

    [Fact]
    public async Task Echoscu_Succeeds_ThreeTimesOnOneAssociation_AndReleases()
    {
        var (exitCode, output, outcome) = await WithDcmtkAsync(new RecordingHandler(), "echoscu", "-aec", "TESSERA", "--repeat", "3");

        exitCode.ShouldBe(0, output);
        outcome.ShouldSatisfyAllConditions(o => o.How.ShouldBe("released"), o => o.Messages.ShouldBe(3), o => o.CallingAeTitle.ShouldBe("ECHOSCU"));
    }

    [Fact]
    public async Task AnotherCalledAeTitle_IsRejectedAsTheHandlerSays()
    {
        var (exitCode, output, outcome) = await WithDcmtkAsync(new RecordingHandler(), "echoscu", "-aec", "SOMEONE-ELSE");

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Called AE Title Not Recognized", Case.Insensitive);
        outcome.How.ShouldBe("rejected: not TESSERA");
    }

    [Fact]
    public async Task Storescu_HandsTheDatasetOverAsSent_AndIsAnsweredWithTheServicesStatus()
    {
        var path = TestCorpus.File("pydicom-data/JPEG-LL.dcm");
        var handler = new RecordingHandler();

        var (exitCode, output, outcome) = await WithDcmtkAsync(handler, "storescu", "-aec", "TESSERA", "-xs", path);

        exitCode.ShouldBe(0, output);
        outcome.How.ShouldBe("released");
        var stored = handler.Service.Stored.ShouldHaveSingleItem();
        var original = DicomReader.ReadFile(path);
        stored.Request.SopInstanceUid.ShouldBe(original.SopInstanceUid);
        stored.Request.SopClassUid.ShouldBe(original.SopClassUid);
        // Proposed in its own syntax (-xs), the dataset arrives in it, every element as the file holds it
        // (storescu re-encodes sequences with explicit lengths, so the bytes are not the file's).
        stored.Request.Context.TransferSyntax.ShouldBe(original.Syntax.Uid);
        var received = DicomReader.ReadDataset(new MemoryStream(stored.Bytes), original.Syntax);
        DatasetComparer.ShouldEqual(received, original.Dataset);
    }

    [Fact]
    public async Task ARefusedStore_GetsItsStatus_AndTheAssociationGoesOn()
    {
        var handler = new RecordingHandler { StoreStatus = DimseStatus.OutOfResources("disk full") };

        var (exitCode, output, outcome) = await WithDcmtkAsync(handler, "storescu", "-aec", "TESSERA", TestCorpus.File("pydicom-data/MR2_UNCR.dcm"));

        output.ShouldContain("Received Store Response (Refused: OutOfResources)");
        outcome.How.ShouldBe("released");
        exitCode.ShouldNotBe(0); // storescu reports the refusal in its exit code too
    }

    [Fact]
    public async Task Findscu_GetsEveryMatchAsPending_ThenSuccess()
    {
        var handler = new RecordingHandler { Matches = 3 };

        var (exitCode, output, outcome) = await WithDcmtkAsync(handler, "findscu", "-S", "-aec", "TESSERA", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=P1");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Find Response: 3 (Pending)");
        output.ShouldContain("Received Final Find Response (Success)");
        handler.Service.Identifiers.ShouldHaveSingleItem().GetString(DicomTags.PatientId).ShouldBe("P1");
        outcome.How.ShouldBe("released");
    }

    [Fact]
    public async Task ACancel_StopsAFind_WithStatusCancel()
    {
        var handler = new RecordingHandler { Matches = 1000, MatchDelay = TimeSpan.FromMilliseconds(50) };

        var (exitCode, output, outcome) = await WithDcmtkAsync(handler, "findscu", "-S", "--cancel", "2", "-aec", "TESSERA", "-k", "QueryRetrieveLevel=STUDY");

        exitCode.ShouldBe(0, output);
        output.ShouldContain("Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
        output.ShouldNotContain("Find Response: 20 ");
        outcome.How.ShouldBe("released");
    }

    [Fact]
    public async Task AnAbortInTheMiddleOfADataset_HandsItBackToBeDropped_AndStoresNothing()
    {
        var handler = new RecordingHandler();
        var (stream, serving) = await ConnectAsync(handler);
        await using (stream)
        {
            var reader = new PduReader(stream, 0);
            await PduWriter.WriteAsync(stream, Request("1.2.840.10008.5.1.4.1.1.4", "1.2.840.10008.1.2.1"), CancellationToken.None);
            (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();
            var command = new DicomDataset();
            command.SetString(DicomTags.AffectedSopClassUid, DicomVr.UI, "1.2.840.10008.5.1.4.1.1.4");
            command.SetUInt16(DicomTags.CommandField, DimseCommand.CStoreRequest);
            command.SetUInt16(DicomTags.MessageId, 1);
            command.SetUInt16(DicomTags.Priority, 0);
            command.SetUInt16(DicomTags.CommandDataSetType, 0);
            command.SetString(DicomTags.AffectedSopInstanceUid, DicomVr.UI, "1.2.3.4");
            await PduWriter.WriteAsync(stream, new DataTransfer([new Pdv(1, true, true, DimseCommand.Encode(command))]), CancellationToken.None);
            await PduWriter.WriteAsync(stream, new DataTransfer([new Pdv(1, false, false, new byte[1000])]), CancellationToken.None);

            await PduWriter.WriteAsync(stream, new Abort(AbortSource.ServiceUser, AbortReason.NotSpecified), CancellationToken.None);

            (await serving.WaitAsync(TimeSpan.FromSeconds(10))).How.ShouldStartWith("aborted by the peer");
            handler.Service.Stored.ShouldBeEmpty();
            handler.Service.Abandoned.ShouldBe(["1.2.3.4"]);
            handler.Service.Disposed.ShouldBeTrue();
        }
    }

    [Fact]
    public async Task ARequestWhileAnotherIsPerformed_IsAborted_ForTheWindowIsOne()
    {
        var handler = new RecordingHandler { EchoDelay = TimeSpan.FromSeconds(5) };
        var (stream, serving) = await ConnectAsync(handler);
        await using (stream)
        {
            var reader = new PduReader(stream, 0);
            await PduWriter.WriteAsync(stream, Request(AssociationAcceptor.VerificationSopClass, "1.2.840.10008.1.2"), CancellationToken.None);
            (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();

            await PduWriter.WriteAsync(stream, new DataTransfer([new Pdv(1, true, true, DimseCommand.Encode(Echo(1))), new Pdv(1, true, true, DimseCommand.Encode(Echo(2)))]),
                CancellationToken.None);

            (await reader.ReadAsync(CancellationToken.None)).ShouldBe(new Abort(AbortSource.ServiceProvider, AbortReason.UnexpectedPduParameter));
            (await serving.WaitAsync(TimeSpan.FromSeconds(10))).How.ShouldContain("window is 1");
        }
    }

    [Fact]
    public async Task AnUnsupportedSopClass_IsNotAccepted()
    {
        var (stream, serving) = await ConnectAsync(new RecordingHandler());
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, Request("1.2.3.4.5", "1.2.840.10008.1.2"), CancellationToken.None);
            var reader = new PduReader(stream, 0);
            var accept = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();
            accept.PresentationContexts.Single().Result.ShouldBe(PresentationContextResult.AbstractSyntaxNotSupported);
            await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
            (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ReleaseResponse>();
            (await serving).How.ShouldBe("released");
        }
    }

    [Theory]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", new[] { "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.1" }, "1.2.840.10008.1.2.4.90")]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", new[] { "1.2.3.999", "1.2.840.10008.1.2" }, "1.2.840.10008.1.2")]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", new[] { "1.2.840.10008.1.2.2", "1.2.840.10008.1.2", "1.2.840.10008.1.2.1" }, "1.2.840.10008.1.2.1")]
    [InlineData("1.2.840.10008.5.1.4.1.1.2", new[] { "1.2.840.10008.1.2.2" }, "1.2.840.10008.1.2.2")]
    [InlineData(AssociationAcceptor.VerificationSopClass, new[] { "1.2.840.10008.1.2", "1.2.840.10008.1.2.1" }, "1.2.840.10008.1.2.1")]
    public async Task TransferSyntaxes_StorageKeepsTheSendersCompression_ElseExplicitFirst(string sopClass, string[] offered, string chosen)
    {
        var (stream, serving) = await ConnectAsync(new RecordingHandler());
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, new AssociateRequest("TESSERA", "TESTER", [new PresentationContextProposal(1, sopClass, offered)],
                new UserInformation { MaxPduLength = 16384 }), CancellationToken.None);
            var reader = new PduReader(stream, 0);
            var answer = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>().PresentationContexts.Single();
            answer.ShouldBe(new PresentationContextAnswer(1, PresentationContextResult.Acceptance, chosen));
            await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
            (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ReleaseResponse>();
            await serving;
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 9, 3, 0, 0 }, AbortReason.UnexpectedPduParameter, "presentation context 9")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 40, 1, 3, 0, 0 }, AbortReason.InvalidPduParameterValue, "PDV claims 40")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 0xFF, 0xFF }, AbortReason.InvalidPduParameterValue, "command set")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 0, 0, 0 }, AbortReason.UnexpectedPduParameter, "without its command")]
    [InlineData(new byte[] { 0x01, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "fewer than its fixed fields")]
    [InlineData(new byte[] { 0x02, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "fewer than its fixed fields")]
    [InlineData(new byte[] { 0x04, 0, 0x10, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "the limit is 16384")]
    [InlineData(new byte[] { 0x09, 0, 0, 0, 0, 0 }, AbortReason.UnrecognizedPdu, "Unrecognized PDU type 0x09")]
    public async Task BrokenPdus_AfterAssociation_AreAbortedWithTheirReason(byte[] bytes, AbortReason reason, string why)
    {
        var (stream, serving) = await ConnectAsync(new RecordingHandler());
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, Request(AssociationAcceptor.VerificationSopClass, "1.2.840.10008.1.2"), CancellationToken.None);
            var reader = new PduReader(stream, 0);
            (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();

            await stream.WriteAsync(bytes);

            (await reader.ReadAsync(CancellationToken.None)).ShouldBe(new Abort(AbortSource.ServiceProvider, reason));
            (await serving).How.ShouldContain(why);
        }
    }

    [Fact]
    public async Task ASilentPeer_IsAbortedAfterTheIdleTimeout()
    {
        var (stream, serving) = await ConnectAsync(new RecordingHandler());
        // The stream is held to the end: a client socket collected early closes with unread data, and the reset ends the association first.
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, Request(AssociationAcceptor.VerificationSopClass, "1.2.840.10008.1.2"), CancellationToken.None);
            var clock = Stopwatch.StartNew();

            (await serving.WaitAsync(TimeSpan.FromSeconds(10))).How.ShouldContain("sent nothing for 2 s");
            clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5));
        }
    }

    [Fact]
    public async Task ARequestThatIsNotAnAssociation_IsAborted()
    {
        var (stream, serving) = await ConnectAsync(new RecordingHandler());
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
            (await new PduReader(stream, 0).ReadAsync(CancellationToken.None)).ShouldBe(new Abort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu));
            (await serving).How.ShouldContain("no A-ASSOCIATE-RQ");
        }
    }

    private static DicomDataset Echo(ushort id)
    {
        var command = new DicomDataset();
        command.SetString(DicomTags.AffectedSopClassUid, DicomVr.UI, AssociationAcceptor.VerificationSopClass);
        command.SetUInt16(DicomTags.CommandField, DimseCommand.CEchoRequest);
        command.SetUInt16(DicomTags.MessageId, id);
        command.SetUInt16(DicomTags.CommandDataSetType, DimseCommand.NoDataSet);
        return command;
    }

    private static AssociateRequest Request(string sopClass, string syntax) => new("TESSERA", "TESTER",
        [new PresentationContextProposal(1, sopClass, [syntax])], new UserInformation { MaxPduLength = 16384 });

    /// <summary>A connected client stream, and the acceptor serving the other end.</summary>
    private static async Task<(NetworkStream Stream, Task<AssociationOutcome> Serving)> ConnectAsync(RecordingHandler handler)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await listener.AcceptTcpClientAsync();
        listener.Stop();
        var serving = Task.Run(async () =>
        {
            using (server)
                return await new AssociationAcceptor(Policy, handler).ServeAsync(server.GetStream(), null, CancellationToken.None);
        });
        return (client.GetStream(), serving);
    }

    private static async Task<(int ExitCode, string Output, AssociationOutcome Outcome)> WithDcmtkAsync(RecordingHandler handler, string tool, params string[] arguments)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (beforeHost, files) = tool == "storescu" ? (arguments[..^1], arguments[^1..]) : (arguments, Array.Empty<string>());
        var start = new ProcessStartInfo(Dcmtk.Tool(tool), ["-v", "-to", "10", .. beforeHost, "127.0.0.1", port, .. files])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.Environment["TCP_NODELAY"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        AssociationOutcome outcome;
        using (var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20)))
            outcome = await new AssociationAcceptor(Policy, handler).ServeAsync(client.GetStream(), null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await stdout + await stderr, outcome);
    }

    /// <summary>Accepts associations called TESSERA with a service that keeps what it is given.</summary>
    private sealed class RecordingHandler : IAssociationHandler
    {
        public RecordingService Service { get; private set; } = null!;

        public DimseStatus StoreStatus { get; init; } = DimseStatus.Success;

        public TimeSpan EchoDelay { get; init; }

        public int Matches { get; init; }

        public TimeSpan MatchDelay { get; init; }

        public ValueTask<AssociationDecision> NegotiateAsync(AssociateRequest request, EndPoint? peer, CancellationToken ct)
        {
            if (request.CalledAeTitle != "TESSERA")
                return ValueTask.FromResult(AssociationDecision.Rejected(AssociateReject.CalledAeNotRecognized, "not TESSERA"));
            Service = new RecordingService(StoreStatus, EchoDelay, Matches, MatchDelay);
            return ValueTask.FromResult(AssociationDecision.Accepted(Service));
        }
    }

    private sealed class RecordingService(DimseStatus storeStatus, TimeSpan echoDelay, int matches, TimeSpan matchDelay) : DimseService
    {
        public List<DicomDataset> Identifiers { get; } = [];

        public override ValueTask<FindAnswer> FindAsync(FindRequest request, CancellationToken ct)
        {
            Identifiers.Add(request.Identifier);
            return ValueTask.FromResult(new FindAnswer(null, MatchesAsync(ct)));
        }

        private async IAsyncEnumerable<DicomDataset> MatchesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            for (var i = 0; i < matches; i++)
            {
                await Task.Delay(matchDelay, ct);
                var match = new DicomDataset();
                match.SetString(DicomTags.QueryRetrieveLevel, DicomVr.CS, "STUDY");
                match.SetString(DicomTags.StudyInstanceUid, DicomVr.UI, $"1.2.3.{i + 1}");
                yield return match;
            }
        }

        public List<(StoreRequest Request, byte[] Bytes)> Stored { get; } = [];

        public List<string> Abandoned { get; } = [];

        public bool Disposed { get; private set; }

        public override async ValueTask<DimseStatus> EchoAsync(CancellationToken ct)
        {
            await Task.Delay(echoDelay, ct);
            return DimseStatus.Success;
        }

        public override ValueTask<DimseStatus> StoreAsync(StoreRequest request, Stream received, CancellationToken ct)
        {
            Stored.Add((request, ((MemoryStream)received).ToArray()));
            return ValueTask.FromResult(storeStatus);
        }

        public override ValueTask AbandonStoreAsync(StoreRequest request, Stream received)
        {
            Abandoned.Add(request.SopInstanceUid);
            return base.AbandonStoreAsync(request, received);
        }

        public override ValueTask DisposeAsync()
        {
            Disposed = true;
            return base.DisposeAsync();
        }
    }
}
