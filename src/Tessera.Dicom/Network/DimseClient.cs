using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Tessera.Dicom.Network;

/// <summary>The association was rejected by the called AE.</summary>
public sealed class AssociationRejectedException(AssociateReject reject)
    : DicomNetworkException($"The association was rejected ({reject.Result}, {reject.Source}, reason {reject.Reason}).")
{
    public AssociateReject Reject { get; } = reject;
}

/// <summary>
/// The requestor side of an association: connects, negotiates, then performs one operation at a
/// time, each answered by its responses (pending ones first for C-FIND, C-MOVE and C-GET).
/// </summary>
public sealed class DimseClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly Stream _stream;
    private readonly MessageReceiver _receiver;
    private readonly TimeSpan _timeout;

    private DimseClient(TcpClient tcp, Stream stream, Association association, PduReader reader, TimeSpan timeout)
    {
        _tcp = tcp;
        _stream = stream;
        Association = association;
        _receiver = new MessageReceiver(association, reader);
        _timeout = timeout;
    }

    public Association Association { get; }

    /// <summary>Connects and negotiates; an A-ASSOCIATE-RJ is an <see cref="AssociationRejectedException"/>.</summary>
    /// <param name="timeout">For the connection, the negotiation and each response.</param>
    public static Task<DimseClient> ConnectAsync(string host, int port, AssociateRequest request, TimeSpan timeout, CancellationToken ct) =>
        ConnectAsync(host, port, request, null, timeout, ct);

    /// <summary>
    /// Connects, over TLS when <paramref name="tls"/> is given (PS3.15 B.1: the TLS handshake first, then the
    /// association on the secure channel), and negotiates. A failed handshake is a <see cref="DicomNetworkException"/>.
    /// </summary>
    /// <param name="tls">How to authenticate the peer (its <c>TargetHost</c> names the name its certificate must carry) and this side; null: plain TCP.</param>
    /// <param name="timeout">For the connection with its handshake, the negotiation and each response.</param>
    public static async Task<DimseClient> ConnectAsync(string host, int port, AssociateRequest request, SslClientAuthenticationOptions? tls,
        TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tcp = new TcpClient { NoDelay = true };
        Stream? stream = null;
        try
        {
            using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timer.CancelAfter(timeout);
            await tcp.ConnectAsync(host, port, timer.Token);
            stream = tcp.GetStream();
            if (tls is not null)
            {
                var secure = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = secure;
                try
                {
                    await secure.AuthenticateAsClientAsync(tls, timer.Token);
                }
                catch (AuthenticationException e)
                {
                    throw new DicomNetworkException($"The TLS handshake with {host}:{port} failed: {Innermost(e).Message}", inner: e);
                }
            }
            await PduWriter.WriteAsync(stream, request, timer.Token);
            var reader = new PduReader(stream, request.UserInformation.MaxPduLength);
            switch (await reader.ReadAsync(timer.Token))
            {
                case AssociateAccept accept:
                    return new DimseClient(tcp, stream, new Association(stream, request, accept, isRequestor: true, timeout), reader, timeout);
                case AssociateReject reject:
                    throw new AssociationRejectedException(reject);
                case Abort abort:
                    throw new DicomNetworkException($"The peer aborted the association request ({abort.Source}, {abort.Reason}).");
                case null:
                    throw new DicomNetworkException("The peer closed the connection instead of answering the association request.");
                case var other:
                    throw new DicomNetworkException($"The peer answered the association request with PDU type 0x{other.Type:X2}.");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await CloseAsync(tcp, stream);
            throw new TimeoutException($"{host}:{port} did not accept the association within {timeout.TotalSeconds:0} s.");
        }
        catch
        {
            await CloseAsync(tcp, stream);
            throw;
        }
    }

    private static async ValueTask CloseAsync(TcpClient tcp, Stream? stream)
    {
        if (stream is not null)
            await stream.DisposeAsync();
        tcp.Dispose();
    }

    /// <summary>The handshake's own reason (e.g. the certificate that failed) sits under the generic "authentication failed".</summary>
    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>Sends a request and returns its responses up to the final one (pending responses included, in order).</summary>
    public Task<IReadOnlyList<DimseMessage>> RequestAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? dataset, CancellationToken ct) =>
        RequestCoreAsync(command, () => dataset is { } bytes ? Association.SendAsync(contextId, command, bytes, ct) : Association.SendAsync(contextId, command, ct), ct);

    /// <summary>Sends a request whose dataset is read from <paramref name="dataset"/> (a stored file after its meta information), and returns its responses.</summary>
    public Task<IReadOnlyList<DimseMessage>> RequestAsync(byte contextId, DicomDataset command, Stream dataset, CancellationToken ct) =>
        RequestCoreAsync(command, () => Association.SendAsync(contextId, command, dataset, ct), ct);

    private async Task<IReadOnlyList<DimseMessage>> RequestCoreAsync(DicomDataset command, Func<Task> send, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = Association.NextMessageId();
        command.SetUInt16(DicomTags.MessageId, id);
        await send();
        var responses = new List<DimseMessage>();
        while (true)
        {
            var response = await ReceiveResponseAsync(ct);
            if (!response.IsResponse)
            {
                // A C-GET's sub-operations: the peer stores on this association.
                await ServeIncomingAsync(response, ct);
                continue;
            }
            if (response.RespondedTo != id)
                throw new DicomNetworkException($"A response to message {response.RespondedTo} arrived while {id} was waiting.", AbortReason.UnexpectedPduParameter);
            responses.Add(response);
            if (!new DimseStatus(response.Status).IsPending)
                return responses;
        }
    }

    /// <summary>Waits for a request of the peer (a storage commitment report after an N-ACTION); answer it with <see cref="RespondAsync"/>.</summary>
    public async Task<DimseMessage> ReceiveRequestAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        Received received;
        try
        {
            received = await _receiver.ReceiveAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Association.PeerAeTitle} sent no request within {timeout.TotalSeconds:0} s.");
        }
        return received switch
        {
            { Message: { IsResponse: false } request } => request,
            { Message: { } response } => throw new DicomNetworkException($"The peer sent a response (0x{response.CommandField:X4}) where a request was awaited.", AbortReason.UnexpectedPduParameter),
            { Control: { } other } => throw new DicomNetworkException($"The peer sent PDU type 0x{other.Type:X2} where a request was awaited."),
            _ => throw new DicomNetworkException("The peer closed the connection."),
        };
    }

    /// <summary>Answers a request of the peer.</summary>
    public Task RespondAsync(DimseMessage request, DimseStatus status, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Association.SendAsync(request.Context.Id, DimseCommand.Response(request.Command, status.Code, status.Comment), ct);
    }

    /// <summary>
    /// Where the C-STOREs of a C-GET go (their datasets are written to the stream it opens as they arrive);
    /// without it, a C-STORE from the peer is a protocol error.
    /// </summary>
    public DimseService? Incoming
    {
        get => _incoming;
        set
        {
            _incoming = value;
            if (value is not null)
                value.Association = Association;
            _receiver.OpenSink = value is null ? null : async (message, token) =>
                message.CommandField == DimseCommand.CStoreRequest && StoreRequest.From(message) is { } request ? await value.OpenStoreAsync(request, token) : null;
        }
    }

    private DimseService? _incoming;

    private async Task ServeIncomingAsync(DimseMessage message, CancellationToken ct)
    {
        var request = StoreRequest.From(message);
        DimseStatus status;
        if (request is null || message.Sink is not { } sink)
            status = DimseStatus.DataSetDoesNotMatchSopClass("The C-STORE request names no SOP class or instance UID");
        else if (message.SinkError is { } error)
        {
            await _incoming!.AbandonStoreAsync(request, sink);
            status = DimseStatus.OutOfResources($"The dataset could not be written: {error.Message}");
        }
        else
            status = await _incoming!.StoreAsync(request, sink, ct);
        await Association.SendAsync(message.Context.Id, DimseCommand.Response(message.Command, status.Code, status.Comment), ct);
    }

    /// <summary>A-RELEASE: waits for the peer's A-RELEASE-RP, then closes.</summary>
    public async Task ReleaseAsync(CancellationToken ct)
    {
        await Association.SendPduAsync(ReleaseRequest.Instance, ct);
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(_timeout);
        while (true)
        {
            // Messages may still arrive before the answer (PS3.8 state Sta7); they are too late to be served.
            var received = await _receiver.ReceiveAsync(timer.Token);
            if (received.Message is not null)
                continue;
            if (received.Control is not ReleaseResponse)
                throw new DicomNetworkException("The peer did not answer the release with an A-RELEASE-RP.");
            return;
        }
    }

    /// <summary>A-ABORT from the service user.</summary>
    public Task AbortAsync(CancellationToken ct) => Association.SendPduAsync(new Abort(AbortSource.ServiceUser, AbortReason.NotSpecified), ct);

    private async Task<DimseMessage> ReceiveResponseAsync(CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(_timeout);
        Received received;
        try
        {
            received = await _receiver.ReceiveAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{Association.PeerAeTitle} sent no response within {_timeout.TotalSeconds:0} s.");
        }
        return received switch
        {
            { Message: { IsResponse: true } message } => message,
            { Message: { CommandField: DimseCommand.CStoreRequest } store } when Incoming is not null => store,
            { Message: { } request } => throw new DicomNetworkException($"The peer sent a request (0x{request.CommandField:X4}) where a response was due.", AbortReason.UnexpectedPduParameter),
            { Control: Abort abort } => throw new DicomNetworkException($"The peer aborted the association ({abort.Source}, {abort.Reason})."),
            { Control: { } other } => throw new DicomNetworkException($"The peer sent PDU type 0x{other.Type:X2} where a response was due."),
            _ => throw new DicomNetworkException("The peer closed the connection before it answered."),
        };
    }

    public async ValueTask DisposeAsync()
    {
        Association.Dispose();
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
