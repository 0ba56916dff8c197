using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The DICOM node's TCP listener: each connection is one association, served by an
/// <see cref="AssociationAcceptor"/> with the archive's handler (routing, AE table, user identity,
/// and the association limits of <see cref="AssociationSlots"/>). Connections are bounded before they
/// associate: per peer address (<see cref="DicomOptions.MaxConnectionsPerAddress"/>), in all while
/// pending (<see cref="DicomOptions.MaxPendingConnections"/>), and in time (the ARTIM timeout); beyond
/// a bound a connection is closed at once. Stopping the server aborts the associations still open.
/// </summary>
internal sealed partial class DicomListener(IOptions<DicomOptions> options, ArchiveAssociationHandler handler, ILogger<DicomListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _associations = new();
    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private int _pending;

    private TcpListener? _listener;

    /// <summary>Opens the port before the host counts as started, so that a port in use stops <c>serve</c> with what to set.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var port = options.Value.Port;
        if (port != 0)
        {
            var listener = TcpListener.Create(port);
            try
            {
                listener.Start();
            }
            catch (SocketException e)
            {
                listener.Dispose();
                throw new IOException(
                    $"The DICOM port {port} cannot be opened ({e.Message}): set Dicom:Port (--dicom-port) to a free port, or to 0 to turn the DICOM node off.", e);
            }
            _listener = listener;
        }
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _listener?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (_listener is not { } listener)
        {
            LogDisabled();
            return;
        }
        var policy = new AcceptorPolicy((uint)settings.MaxPduLength, settings.ArtimTimeout, settings.IdleTimeout)
        {
            AcceptsStorage = true,
            AbstractSyntaxes = new HashSet<string>
            {
                DimseSopClasses.Verification, DimseSopClasses.PatientRootFind, DimseSopClasses.StudyRootFind,
                DimseSopClasses.PatientRootMove, DimseSopClasses.StudyRootMove, DimseSopClasses.PatientRootGet, DimseSopClasses.StudyRootGet,
                DimseSopClasses.StorageCommitmentPushModel,
            },
        };
        var acceptor = new AssociationAcceptor(policy, handler);
        LogListening(settings.AeTitle, settings.Port);
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stoppingToken);
                client.NoDelay = true;
                var address = (client.Client.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString() ?? "?";
                if (!Admit(address, settings, out var why))
                {
                    LogRefusedConnection(address, why);
                    client.Client.Close(0); // a reset: nothing is owed to a connection over the bounds
                    client.Dispose();
                    continue;
                }
                var serving = ServeAsync(client, address, acceptor, stoppingToken);
                _associations.TryAdd(serving, 0);
                _ = serving.ContinueWith(t => _associations.TryRemove(t, out _), TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            listener.Stop();
            await Task.WhenAll(_associations.Keys);
        }
    }

    /// <summary>Counts a new connection against its address's and the pending bounds, or says which it would pass.</summary>
    private bool Admit(string address, DicomOptions settings, out string why)
    {
        lock (_perAddress)
        {
            var open = _perAddress.GetValueOrDefault(address);
            if (open >= settings.MaxConnectionsPerAddress)
            {
                why = $"{open} connections from this address are open (Dicom:MaxConnectionsPerAddress)";
                return false;
            }
            if (_pending >= settings.MaxPendingConnections)
            {
                why = $"{_pending} connections are waiting to associate (Dicom:MaxPendingConnections)";
                return false;
            }
            _perAddress[address] = open + 1;
            _pending++;
        }
        why = "";
        return true;
    }

    private void Associated()
    {
        lock (_perAddress)
            _pending--;
    }

    private void Closed(string address, bool stillPending)
    {
        lock (_perAddress)
        {
            if (stillPending)
                _pending--;
            if (--_perAddress[address] == 0)
                _perAddress.Remove(address);
        }
    }

    private async Task ServeAsync(TcpClient client, string address, AssociationAcceptor acceptor, CancellationToken ct)
    {
        await Task.Yield();
        var peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        var pending = 1;
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var outcome = await acceptor.ServeAsync(stream, client.Client.RemoteEndPoint, ct, () =>
                {
                    if (Interlocked.Exchange(ref pending, 0) == 1)
                        Associated();
                });
                LogAssociation(peer, outcome.CallingAeTitle, outcome.CalledAeTitle, outcome.How, outcome.Messages);
                if (outcome.Failure is { } failure)
                    LogOperationFailed(failure, peer, outcome.CallingAeTitle);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                LogConnectionLost(peer, e.Message);
            }
            finally
            {
                Closed(address, Interlocked.Exchange(ref pending, 0) == 1);
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "DICOM: listening as {AeTitle} on port {Port}")]
    private partial void LogListening(string aeTitle, int port);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "DICOM: the listener is off (Dicom:Port is 0)")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "DICOM: association from {Peer} ({CallingAeTitle} → {CalledAeTitle}) {How} after {Messages} message(s)")]
    private partial void LogAssociation(string peer, string callingAeTitle, string calledAeTitle, string how, int messages);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Error, Message = "DICOM: an operation of the association from {Peer} ({CallingAeTitle}) failed")]
    private partial void LogOperationFailed(Exception e, string peer, string callingAeTitle);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "DICOM: connection from {Address} closed at once: {Why}")]
    private partial void LogRefusedConnection(string address, string why);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "DICOM: connection from {Peer} lost: {Reason}")]
    private partial void LogConnectionLost(string peer, string reason);
}
