using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>A node that serves one association at a time.</summary>
public sealed class SingleAssociationServer : DicomNodeServer
{
    public SingleAssociationServer() => Settings["Dicom:MaxAssociations"] = "1";
}

/// <summary>The server's DICOM node against dcmtk's echoscu: the called and calling AE titles, the AE table, the association limit.</summary>
public sealed class DicomListenerTests(SingleAssociationServer server) : IClassFixture<SingleAssociationServer>
{
    [Fact]
    public async Task Echoscu_IsAnswered_AndAnotherCalledAeTitleIsRejected()
    {
        await server.PutNodeAsync("ECHOER", null, "echo");

        var (ok, okOutput) = await EchoscuAsync("ECHOER", DicomNodeServer.AeTitle);
        ok.ShouldBe(0, okOutput);
        okOutput.ShouldContain("Received Echo Response (Success)", Case.Insensitive);

        var (wrong, wrongOutput) = await EchoscuAsync("ECHOER", "NOT_TESSERA");
        wrong.ShouldNotBe(0);
        wrongOutput.ShouldContain("Called AE Title Not Recognized", Case.Insensitive);
    }

    [Fact]
    public async Task ACallerOutsideTheAeTable_IsRejected_AndOneThatMayNotEcho_IsRefused()
    {
        var (unknown, unknownOutput) = await EchoscuAsync("STRANGER", DicomNodeServer.AeTitle);
        unknown.ShouldNotBe(0);
        unknownOutput.ShouldContain("Calling AE Title Not Recognized", Case.Insensitive);

        await server.PutNodeAsync("STORER", null, "store");
        var (_, refusedOutput) = await EchoscuAsync("STORER", DicomNodeServer.AeTitle);
        refusedOutput.ShouldContain("Received Echo Response (Unknown Status: 0x124)"); // 0x0124, refused: not authorized, which dcmtk does not name
    }

    [Fact]
    public async Task BeyondTheAssociationLimit_ARequestIsRejectedAsTransient_AndTheServerGoesOn()
    {
        await server.PutNodeAsync("HOLDER", null, "echo");
        await server.PutNodeAsync("ECHOER", null, "echo");
        using var holder = new TcpClient();
        await holder.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = holder.GetStream();
        await PduWriter.WriteAsync(stream, new AssociateRequest(DicomNodeServer.AeTitle, "HOLDER",
            [new PresentationContextProposal(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2"])], new UserInformation { MaxPduLength = 16384 }), CancellationToken.None);
        var reader = new PduReader(stream, 0);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();

        var (refused, output) = await EchoscuAsync("ECHOER", DicomNodeServer.AeTitle);
        refused.ShouldNotBe(0);
        output.ShouldContain("Local Limit Exceeded", Case.Insensitive);

        await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ReleaseResponse>();
        var (_, againOutput) = await Poll.UntilAsync(() => EchoscuAsync("ECHOER", DicomNodeServer.AeTitle), r => r.ExitCode == 0, "echo works once the held association is released");
        againOutput.ShouldContain("Success", Case.Insensitive);
    }

    private Task<(int ExitCode, string Output)> EchoscuAsync(string callingAe, string calledAe) =>
        Dcmtk.RunAsync("echoscu", "-v", "-aet", callingAe, "-aec", calledAe, "-to", "10", "127.0.0.1", server.PortText);
}
