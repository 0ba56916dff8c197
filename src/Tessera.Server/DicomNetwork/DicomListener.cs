using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The DICOM node's TCP listener: each connection is one association, served by an
/// <see cref="AssociationAcceptor"/> with the archive's handler (routing, AE table, user identity). Beyond <see cref="DicomOptions.MaxAssociations"/>
/// a connection's request is answered with a transient rejection. Stopping the server aborts the
/// associations still open.
/// </summary>
internal sealed partial class DicomListener(IOptions<DicomOptions> options, ArchiveAssociationHandler handler, ILogger<DicomListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _associations = new();
    private int _active;

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
                var serving = ServeAsync(client, acceptor, settings, stoppingToken);
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

    private async Task ServeAsync(TcpClient client, AssociationAcceptor acceptor, DicomOptions settings, CancellationToken ct)
    {
        await Task.Yield();
        var peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                if (Interlocked.Increment(ref _active) > settings.MaxAssociations)
                {
                    await RejectAsync(stream, settings, ct);
                    LogTooMany(peer, settings.MaxAssociations);
                    return;
                }
                var outcome = await acceptor.ServeAsync(stream, client.Client.RemoteEndPoint, ct);
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
                Interlocked.Decrement(ref _active);
            }
        }
    }

    /// <summary>Reads the association request (within the ARTIM time) and answers it with a transient rejection.</summary>
    private static async Task RejectAsync(NetworkStream stream, DicomOptions settings, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(settings.ArtimTimeout);
        if (await new PduReader(stream, (uint)settings.MaxPduLength).ReadAsync(timer.Token) is AssociateRequest)
            await PduWriter.WriteAsync(stream, new AssociateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, AssociateReject.LocalLimitExceeded), ct);
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "DICOM: listening as {AeTitle} on port {Port}")]
    private partial void LogListening(string aeTitle, int port);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "DICOM: the listener is off (Dicom:Port is 0)")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "DICOM: association from {Peer} ({CallingAeTitle} → {CalledAeTitle}) {How} after {Messages} message(s)")]
    private partial void LogAssociation(string peer, string callingAeTitle, string calledAeTitle, string how, int messages);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Error, Message = "DICOM: an operation of the association from {Peer} ({CallingAeTitle}) failed")]
    private partial void LogOperationFailed(Exception e, string peer, string callingAeTitle);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "DICOM: association from {Peer} rejected: {Limit} associations already open")]
    private partial void LogTooMany(string peer, int limit);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "DICOM: connection from {Peer} lost: {Reason}")]
    private partial void LogConnectionLost(string peer, string reason);
}
