using System.Net;
using System.Net.Sockets;
using Shouldly;
using Tessera.Dicom.Network;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>A server with small connection bounds, so that a flood reaches them quickly.</summary>
public sealed class FloodBoundedServer : DicomNodeServer
{
    public FloodBoundedServer()
    {
        Settings["Dicom:MaxConnectionsPerAddress"] = "8";
        Settings["Dicom:MaxAssociationsPerAe"] = "2";
        Settings["Dicom:MaxAssociations"] = "4";
        Settings["Dicom:ArtimTimeout"] = "00:00:02";
    }
}

/// <summary>
/// Regression for a denial of service of the DICOM port: 64 connections that never sent an
/// A-ASSOCIATE-RQ filled MaxAssociations for the ARTIM time, and one AE's idle associations could
/// take every slot. Idle sockets now count against their address and time out quickly, and each
/// calling AE has its own share of the associations.
/// </summary>
public sealed class DicomPortFloodTests(FloodBoundedServer server) : IClassFixture<FloodBoundedServer>
{
    [Fact]
    public async Task SilentConnectionsFromOneAddress_DoNotLockOutOthers()
    {
        await server.PutNodeAsync("ECHOER", null, "echo");
        var flood = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 64; i++)
            {
                var client = new TcpClient(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                flood.Add(client);
                try
                {
                    await client.ConnectAsync(IPAddress.Loopback, server.Port);
                }
                catch (SocketException)
                {
                    // Reset as it connected: over the address's bound already.
                }
            }

            var (exitCode, output) = await Dcmtk.RunAsync("echoscu", "-v", "-aet", "ECHOER", "-aec", DicomNodeServer.AeTitle, "-to", "10", "127.0.0.1", server.PortText);

            exitCode.ShouldBe(0, output);
            // Beyond the address's bound the server closed them at once; the rest go when the ARTIM time ends.
            var closed = await Task.WhenAll(flood.Select(c => ClosedWithinAsync(c, TimeSpan.FromSeconds(1))));
            closed.Count(c => c).ShouldBeGreaterThanOrEqualTo(64 - 8);
            var all = await Task.WhenAll(flood.Select(c => ClosedWithinAsync(c, TimeSpan.FromSeconds(10))));
            all.ShouldAllBe(c => c, "idle sockets are closed once the ARTIM time ends");
        }
        finally
        {
            flood.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task OneAeHoldingAssociations_GetsNoMore_AndOtherAesGoOn()
    {
        await server.PutNodeAsync("HOG", null, "echo");
        await server.PutNodeAsync("OTHER", null, "echo");
        var held = new List<DimseClient>();
        try
        {
            for (var i = 0; i < 2; i++)
                held.Add(await ConnectAsync("HOG"));

            var refused = await Should.ThrowAsync<AssociationRejectedException>(() => ConnectAsync("HOG"));
            var (exitCode, output) = await Dcmtk.RunAsync("echoscu", "-v", "-aet", "OTHER", "-aec", DicomNodeServer.AeTitle, "-to", "10", "127.0.0.1", server.PortText);

            refused.Reject.Result.ShouldBe(RejectResult.Transient);
            refused.Reject.Reason.ShouldBe(AssociateReject.LocalLimitExceeded);
            exitCode.ShouldBe(0, output);
        }
        finally
        {
            foreach (var client in held)
                await client.DisposeAsync();
        }
    }

    /// <summary>
    /// Two AE titles' idle associations fill the node: a newcomer gets the place of the one idle longest (regression:
    /// four AE titles holding idle associations locked the node for their idle timeout, five minutes and renewable).
    /// Associations idle for less than a few seconds are never ended.
    /// </summary>
    [Fact]
    public async Task IdleAssociationsFillingTheNode_MakeRoomForANewcomer()
    {
        await server.PutNodeAsync("IDLE_A", null, "echo");
        await server.PutNodeAsync("IDLE_B", null, "echo");
        await server.PutNodeAsync("NEWCOMER", null, "echo");
        var held = new List<DimseClient>();
        try
        {
            foreach (var ae in new[] { "IDLE_A", "IDLE_A", "IDLE_B", "IDLE_B" })
                held.Add(await ConnectAsync(ae));
            var tooSoon = await Should.ThrowAsync<AssociationRejectedException>(() => ConnectAsync("NEWCOMER"));
            await Task.Delay(AssociationSlotsMinimumIdle + TimeSpan.FromSeconds(1));

            var (exitCode, output) = await Dcmtk.RunAsync("echoscu", "-v", "-aet", "NEWCOMER", "-aec", DicomNodeServer.AeTitle, "-to", "10", "127.0.0.1", server.PortText);

            tooSoon.Reject.Reason.ShouldBe(AssociateReject.LocalLimitExceeded);
            exitCode.ShouldBe(0, output);
            var alive = 0;
            foreach (var client in held)
            {
                try
                {
                    await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CEchoRequest, DimseSopClasses.Verification), (ReadOnlyMemory<byte>?)null, CancellationToken.None);
                    alive++;
                }
                catch (Exception e) when (e is DicomNetworkException or IOException or ObjectDisposedException or InvalidOperationException)
                {
                }
            }
            alive.ShouldBe(3, "exactly one idle association made room");
        }
        finally
        {
            foreach (var client in held)
                await client.DisposeAsync();
        }
    }

    private static readonly TimeSpan AssociationSlotsMinimumIdle = TimeSpan.FromSeconds(5);

    private Task<DimseClient> ConnectAsync(string calling) => DimseClient.ConnectAsync("127.0.0.1", server.Port,
        new AssociateRequest(DicomNodeServer.AeTitle, calling, [new PresentationContextProposal(1, DimseSopClasses.Verification, ["1.2.840.10008.1.2"])],
            new UserInformation { MaxPduLength = 16384 }), TimeSpan.FromSeconds(10), CancellationToken.None);

    /// <summary>Whether the server closed (or reset) the connection within the time, after an A-ABORT perhaps: reads end with nothing.</summary>
    private static async Task<bool> ClosedWithinAsync(TcpClient client, TimeSpan within)
    {
        using var timer = new CancellationTokenSource(within);
        try
        {
            var buffer = new byte[64];
            while (await client.GetStream().ReadAsync(buffer, timer.Token) > 0)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            return true; // reset: the socket is no longer connected
        }
    }
}
