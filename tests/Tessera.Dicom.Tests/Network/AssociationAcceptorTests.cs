using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Network;

/// <summary>The acceptor against dcmtk's echoscu and against broken peers.</summary>
public sealed class AssociationAcceptorTests
{
    private static readonly AcceptorPolicy Policy = new("TESSERA", new HashSet<string> { AssociationAcceptor.VerificationSopClass },
        ["1.2.840.10008.1.2.1", "1.2.840.10008.1.2"], 16384, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Echoscu_Succeeds_ThreeTimesOnOneAssociation_AndReleases()
    {
        var (exitCode, output, outcome) = await WithEchoscuAsync("TESSERA", "--repeat", "3");

        exitCode.ShouldBe(0, output);
        outcome.ShouldSatisfyAllConditions(o => o.How.ShouldBe("released"), o => o.Messages.ShouldBe(3), o => o.CallingAeTitle.ShouldBe("ECHOSCU"));
    }

    [Fact]
    public async Task AnotherCalledAeTitle_IsRejected()
    {
        var (exitCode, output, outcome) = await WithEchoscuAsync("SOMEONE-ELSE");

        exitCode.ShouldNotBe(0);
        output.ShouldContain("Called AE Title Not Recognized", Case.Insensitive);
        outcome.How.ShouldStartWith("rejected");
    }

    [Fact]
    public async Task AnUnsupportedSopClass_IsNotAccepted()
    {
        var (stream, serving) = await ConnectAsync();
        await PduWriter.WriteAsync(stream, Request("1.2.3.4.5"), CancellationToken.None);
        var reader = new PduReader(stream, 0);
        var accept = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();
        accept.PresentationContexts.Single().Result.ShouldBe(PresentationContextResult.AbstractSyntaxNotSupported);
        await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ReleaseResponse>();
        (await serving).How.ShouldBe("released");
    }

    [Theory]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 9, 3, 0, 0 }, AbortReason.UnexpectedPduParameter, "presentation context 9")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 40, 1, 3, 0, 0 }, AbortReason.InvalidPduParameterValue, "PDV claims 40")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 3, 0xFF, 0xFF }, AbortReason.InvalidPduParameterValue, "command set")]
    [InlineData(new byte[] { 0x04, 0, 0, 0, 0, 8, 0, 0, 0, 4, 1, 0, 0, 0 }, AbortReason.UnexpectedPduParameter, "without its command")]
    [InlineData(new byte[] { 0x01, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "fewer than its fixed fields")]
    [InlineData(new byte[] { 0x02, 0, 0, 0, 0, 4, 0, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "fewer than its fixed fields")]
    [InlineData(new byte[] { 0x04, 0, 0x10, 0, 0, 0 }, AbortReason.InvalidPduParameterValue, "the limit is 16384")]
    public async Task BrokenPdus_AfterAssociation_AreAbortedWithTheirReason(byte[] bytes, AbortReason reason, string why)
    {
        var (stream, serving) = await ConnectAsync();
        await PduWriter.WriteAsync(stream, Request(AssociationAcceptor.VerificationSopClass), CancellationToken.None);
        var reader = new PduReader(stream, 0);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();

        await stream.WriteAsync(bytes);

        (await reader.ReadAsync(CancellationToken.None)).ShouldBe(new Abort(AbortSource.ServiceProvider, reason));
        (await serving).How.ShouldContain(why);
    }

    [Fact]
    public async Task ASilentPeer_IsAbortedAfterTheIdleTimeout()
    {
        var (stream, serving) = await ConnectAsync();
        // The stream is held to the end: a client socket collected early closes with unread data, and the reset ends the association first.
        await using (stream)
        {
            await PduWriter.WriteAsync(stream, Request(AssociationAcceptor.VerificationSopClass), CancellationToken.None);
            var clock = Stopwatch.StartNew();

            (await serving.WaitAsync(TimeSpan.FromSeconds(10))).How.ShouldContain("sent nothing for 2 s");
            clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.5));
        }
    }

    [Fact]
    public async Task ARequestThatIsNotAnAssociation_IsAborted()
    {
        var (stream, serving) = await ConnectAsync();
        await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
        (await new PduReader(stream, 0).ReadAsync(CancellationToken.None)).ShouldBe(new Abort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu));
        (await serving).How.ShouldContain("no A-ASSOCIATE-RQ");
    }

    private static AssociateRequest Request(string sopClass) => new("TESSERA", "TESTER",
        [new PresentationContextProposal(1, sopClass, ["1.2.840.10008.1.2"])], new UserInformation { MaxPduLength = 16384 });

    /// <summary>A connected client stream, and the acceptor serving the other end.</summary>
    private static async Task<(NetworkStream Stream, Task<AssociationOutcome> Serving)> ConnectAsync()
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
                return await new AssociationAcceptor(Policy).ServeAsync(server.GetStream(), CancellationToken.None);
        });
        return (client.GetStream(), serving);
    }

    private static async Task<(int ExitCode, string Output, AssociationOutcome Outcome)> WithEchoscuAsync(string calledAe, params string[] extra)
    {
        var echoscu = Dcmtk.Tool("echoscu");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(echoscu, ["-v", "-aec", calledAe, "-to", "10", .. extra, "127.0.0.1", port])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        AssociationOutcome outcome;
        using (var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20)))
            outcome = await new AssociationAcceptor(Policy).ServeAsync(client.GetStream(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await stdout + await stderr, outcome);
    }
}
