using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.Network;
using Tessera.Dicom.Tests.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>A server with its DICOM listener on, one association at most.</summary>
public sealed class DicomNodeServer : TestServer
{
    public DicomNodeServer()
    {
        Port = FreePort();
        Settings["Dicom:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Dicom:AeTitle"] = "TESSERA_T";
        Settings["Dicom:MaxAssociations"] = "1";
    }

    public int Port { get; }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>The server's DICOM node, against dcmtk's echoscu.</summary>
public sealed class DicomListenerTests(DicomNodeServer server) : IClassFixture<DicomNodeServer>
{
    [Fact]
    public async Task Echoscu_IsAnswered_AndAnotherAeTitleIsRejected()
    {
        var (ok, okOutput) = await EchoscuAsync("TESSERA_T");
        ok.ShouldBe(0, okOutput);
        okOutput.ShouldContain("Received Echo Response (Success)", Case.Insensitive);

        var (wrong, wrongOutput) = await EchoscuAsync("NOT_TESSERA");
        wrong.ShouldNotBe(0);
        wrongOutput.ShouldContain("Called AE Title Not Recognized", Case.Insensitive);
    }

    [Fact]
    public async Task BeyondTheAssociationLimit_ARequestIsRejectedAsTransient_AndTheServerGoesOn()
    {
        using var holder = new TcpClient();
        await holder.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = holder.GetStream();
        await PduWriter.WriteAsync(stream, new AssociateRequest("TESSERA_T", "HOLDER",
            [new PresentationContextProposal(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2"])], new UserInformation { MaxPduLength = 16384 }), CancellationToken.None);
        var reader = new PduReader(stream, 0);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateAccept>();

        var (refused, output) = await EchoscuAsync("TESSERA_T");
        refused.ShouldNotBe(0);
        output.ShouldContain("Local Limit Exceeded", Case.Insensitive);

        await PduWriter.WriteAsync(stream, ReleaseRequest.Instance, CancellationToken.None);
        (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<ReleaseResponse>();
        var (again, againOutput) = await Poll.UntilAsync(() => EchoscuAsync("TESSERA_T"), r => r.ExitCode == 0, "echo works once the held association is released");
        againOutput.ShouldContain("Success", Case.Insensitive);
    }

    private async Task<(int ExitCode, string Output)> EchoscuAsync(string calledAe)
    {
        var start = new ProcessStartInfo(Dcmtk.Tool("echoscu"),
            ["-v", "-aet", "TESTSCU", "-aec", calledAe, "-to", "10", "127.0.0.1", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await stdout + await stderr);
    }
}
