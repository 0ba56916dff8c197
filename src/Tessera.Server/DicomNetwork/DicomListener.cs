using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The DICOM node's TCP listeners: the plain port and, when configured, the TLS port (PS3.15 Annex B: the TLS
/// handshake first, then the association on the secure channel). Each connection is one association, served by
/// an <see cref="AssociationAcceptor"/> with the archive's handler (routing, AE table, user identity, and the
/// association limits of <see cref="AssociationSlots"/>). Connections to either port are bounded together before
/// they associate: per peer address (<see cref="DicomOptions.MaxConnectionsPerAddress"/>), in all while pending
/// (<see cref="DicomOptions.MaxPendingConnections"/>), and in time (the ARTIM timeout, which also bounds the TLS
/// handshake); beyond a bound a connection is closed at once. Stopping the server aborts the associations still open.
/// </summary>
internal sealed partial class DicomListener(IOptions<DicomOptions> options, ArchiveAssociationHandler handler, IServiceProvider services,
    IConfiguration configuration, ILogger<DicomListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, byte> _associations = new();
    private readonly Dictionary<string, int> _perAddress = new(StringComparer.Ordinal);
    private readonly List<(TcpListener Socket, DicomTlsCredentials? Tls)> _sockets = [];
    private int _pending;

    /// <summary>Opens the ports before the host counts as started, so that a port in use stops <c>serve</c> with what to set.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        Address = DicomBinding.Resolve(settings.Host, configuration);
        if (settings.Port != 0)
            _sockets.Add((Open(Address, settings.Port, "The DICOM port", "Dicom:Port (--dicom-port)", "the DICOM node"), null));
        if (settings.Tls.Port != 0)
        {
            // Resolved only now: the options (and with them the certificate files) have been validated.
            var tls = services.GetRequiredService<DicomTlsCredentials>();
            _sockets.Add((Open(Address, settings.Tls.Port, "The DICOM TLS port", "Dicom:Tls:Port", "the TLS listener"), tls));
        }
        return base.StartAsync(cancellationToken);
    }

    /// <summary>The address the listeners bind (null: every interface), known once started.</summary>
    public System.Net.IPAddress? Address { get; private set; }

    private static TcpListener Open(System.Net.IPAddress? address, int port, string what, string key, string off)
    {
        var listener = DicomBinding.Listener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"{what} {DicomBinding.Describe(address, port)} cannot be opened ({e.Message}): set {key} to a free port, or to 0 to turn {off} off (Dicom:Host, --dicom-host, chooses the address).", e);
        }
        return listener;
    }

    public override void Dispose()
    {
        foreach (var (socket, _) in _sockets)
            socket.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (_sockets.Count == 0)
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
        var (plain, secure) = (DicomBinding.Describe(Address, settings.Port), DicomBinding.Describe(Address, settings.Tls.Port));
        if (settings.Port != 0)
            LogListening(settings.AeTitle, plain);
        if (_sockets.FirstOrDefault(s => s.Tls is not null).Tls is { Certificate: { } certificate })
        {
            var until = certificate.NotAfter.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture);
            LogListeningTls(settings.AeTitle, secure, certificate.Subject, until, settings.Tls.ClientCertificates);
        }
        try
        {
            await Task.WhenAll(_sockets.Select(s => AcceptAsync(s.Socket, s.Tls, acceptor, settings, stoppingToken)));
        }
        finally
        {
            await Task.WhenAll(_associations.Keys);
        }
    }

    private async Task AcceptAsync(TcpListener listener, DicomTlsCredentials? tls, AssociationAcceptor acceptor, DicomOptions settings, CancellationToken stoppingToken)
    {
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
                var serving = ServeAsync(client, address, acceptor, tls, settings.ArtimTimeout, stoppingToken);
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

    private async Task ServeAsync(TcpClient client, string address, AssociationAcceptor acceptor, DicomTlsCredentials? tls, TimeSpan handshakeTimeout,
        CancellationToken ct)
    {
        await Task.Yield();
        var peer = client.Client.RemoteEndPoint?.ToString() ?? "?";
        var pending = 1;
        using (client)
        {
            try
            {
                await using var stream = tls is null ? client.GetStream() : await SecureAsync(client, peer, tls, handshakeTimeout, ct);
                if (stream is null)
                    return;
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

    /// <summary>The TLS handshake, within the ARTIM time; null when it failed (logged), and the connection is to be closed.</summary>
    private async Task<Stream?> SecureAsync(TcpClient client, string peer, DicomTlsCredentials tls, TimeSpan timeout, CancellationToken ct)
    {
        var secure = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            await secure.AuthenticateAsServerAsync(tls.ServerOptions(), timer.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            await secure.DisposeAsync();
            var refused = tls.RefusalOf(secure);
            var reason = e is OperationCanceledException ? $"no handshake within {timeout.TotalSeconds:0} s" : refused ?? Reason(e);
            LogHandshakeFailed(peer, reason);
            if (refused is not null)
                await AuditRefusedAsync(peer, refused);
            return null;
        }
        LogSecured(peer, secure.SslProtocol, secure.RemoteCertificate?.Subject ?? "none");
        return secure;
    }

    /// <summary>A certificate this node refused is an attempt to get in: the audit log has it beside refused associations.</summary>
    private async Task AuditRefusedAsync(string peer, string why)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Tessera.Archive.Audit.AuditWriter>().RecordAsync(new Tessera.Archive.Data.AuditEntry
        {
            At = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
            Action = "DICOM TLS handshake refused", Target = why, Status = 403, ClientAddress = peer.Split(':')[0],
        }, CancellationToken.None);
    }

    private static string Reason(Exception e) => e.InnerException is { } inner ? $"{e.Message} {Reason(inner)}" : e.Message;

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "DICOM: listening as {AeTitle} on {Address}")]
    private partial void LogListening(string aeTitle, string address);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information,
        Message = "DICOM: listening as {AeTitle} over TLS on {Address} (certificate {Subject}, valid until {NotAfter}; client certificates {ClientCertificates})")]
    private partial void LogListeningTls(string aeTitle, string address, string subject, string notAfter, DicomTlsClientCertificates clientCertificates);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "DICOM: TLS handshake with {Peer} failed: {Reason}")]
    private partial void LogHandshakeFailed(string peer, string reason);

    [LoggerMessage(EventId = 1309, Level = LogLevel.Information, Message = "DICOM: TLS with {Peer} ({Protocol}), client certificate {Subject}")]
    private partial void LogSecured(string peer, SslProtocols protocol, string subject);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "DICOM: the listener is off (Dicom:Port and Dicom:Tls:Port are 0)")]
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
