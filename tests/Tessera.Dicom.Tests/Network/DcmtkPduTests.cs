using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.Network;

namespace Tessera.Dicom.Tests.Network;

/// <summary>Our PDUs against dcmtk's echoscu: its association request read by us, our answers read by it.</summary>
public sealed class DcmtkPduTests
{
    private const string Verification = "1.2.840.10008.1.1";

    [Fact]
    public async Task EchoscuRequest_IsRead_AndOurRejectionIsUnderstood()
    {
        var (result, output) = await WithEchoscuAsync(async stream =>
        {
            var reader = new PduReader(stream, 16384);
            var request = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<AssociateRequest>();
            request.CalledAeTitle.ShouldBe("TESSERA");
            request.CallingAeTitle.ShouldBe("ECHOSCU-TEST");
            request.ApplicationContextName.ShouldBe(ApplicationContext.Dicom);
            request.PresentationContexts.ShouldContain(c => c.AbstractSyntax == Verification && c.TransferSyntaxes.Contains("1.2.840.10008.1.2"));
            request.UserInformation.MaxPduLength.ShouldBeGreaterThan(0u);
            request.UserInformation.ImplementationClassUid.ShouldStartWith("1.2.276.0.7230010"); // dcmtk's root
            await PduWriter.WriteAsync(stream, new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, AssociateReject.CalledAeNotRecognized), CancellationToken.None);
        });

        result.ShouldNotBe(0);
        output.ShouldContain("Called AE Title Not Recognized", Case.Insensitive);
    }

    [Fact]
    public async Task OurAcceptIsUnderstood_AndEchoscuSendsItsCommandAsPData()
    {
        var (_, output) = await WithEchoscuAsync(async stream =>
        {
            var reader = new PduReader(stream, 16384);
            var request = (AssociateRequest)(await reader.ReadAsync(CancellationToken.None))!;
            var context = request.PresentationContexts.First(c => c.AbstractSyntax == Verification);
            await PduWriter.WriteAsync(stream, new AssociateAccept(request.CalledAeTitle, request.CallingAeTitle,
                [new PresentationContextAnswer(context.Id, PresentationContextResult.Acceptance, "1.2.840.10008.1.2")],
                new UserInformation { MaxPduLength = 16384 }), CancellationToken.None);

            var data = (await reader.ReadAsync(CancellationToken.None)).ShouldBeOfType<DataTransfer>();
            data.Values.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
                v => v.PresentationContextId.ShouldBe(context.Id), v => v.IsCommand.ShouldBeTrue(), v => v.IsLast.ShouldBeTrue());
            // The C-ECHO-RQ command set in implicit VR little endian: it starts with (0000,0000) CommandGroupLength, UL.
            data.Values[0].Data.Span[..8].ToArray().ShouldBe(new byte[] { 0, 0, 0, 0, 4, 0, 0, 0 });
            await PduWriter.WriteAsync(stream, new Abort(AbortSource.ServiceUser, AbortReason.NotSpecified), CancellationToken.None);
        });

        output.ShouldContain("Association Accepted", Case.Insensitive);
        output.ShouldContain("abort", Case.Insensitive);
    }

    /// <summary>Runs echoscu against a one-connection listener served by <paramref name="serve"/>; returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> WithEchoscuAsync(Func<NetworkStream, Task> serve)
    {
        var echoscu = Dcmtk.Tool("echoscu");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var start = new ProcessStartInfo(echoscu, ["-v", "-aet", "ECHOSCU-TEST", "-aec", "TESSERA", "-to", "10", "127.0.0.1", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var client = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(20)))
        {
            await serve(client.GetStream()).WaitAsync(TimeSpan.FromSeconds(20));
        }
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return (process.ExitCode, await stdout + await stderr);
    }
}
