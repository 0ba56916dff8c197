using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace Tessera.Dicom.Network;

/// <summary>An accepted presentation context: the abstract syntax it carries and the one transfer syntax agreed for it.</summary>
public sealed record PresentationContext(byte Id, string AbstractSyntax, string TransferSyntax);

/// <summary>
/// An established association, from either side: its negotiated presentation contexts and limits,
/// and the sending of DIMSE messages split into P-DATA-TF PDUs no longer than the peer receives.
/// One message is sent at a time (a lock spans its command and dataset), so a response and a
/// sub-operation's request never interleave. Receiving is <see cref="MessageReceiver"/>'s.
/// </summary>
public sealed class Association : IDisposable
{
    /// <summary>The largest P-DATA variable field sent, whatever the peer allows (a peer announcing 0, no limit, gets this).</summary>
    public const int MaxSentPduLength = 1 << 20;

    private const int HeaderLength = 12; // PDU header (6) + PDV length and header (6)
    private readonly Stream _stream;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly int _chunk;
    private readonly TimeSpan _writeTimeout;
    private readonly ConcurrentDictionary<ushort, TaskCompletionSource<DimseMessage>> _awaiting = new();
    private readonly Lock _awaitingGate = new();
    private string? _noMoreAnswers;
    private int _nextMessageId;

    public Association(Stream stream, AssociateRequest request, AssociateAccept accept, bool isRequestor, TimeSpan writeTimeout)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(accept);
        _stream = stream;
        Request = request;
        Accept = accept;
        IsRequestor = isRequestor;
        _writeTimeout = writeTimeout;
        // A requestor's message IDs start anywhere, so that the C-STOREs a C-MOVE causes can be told apart by their originator's ID.
        _nextMessageId = isRequestor ? Random.Shared.Next(0, ushort.MaxValue) : 0;
        var proposed = request.PresentationContexts.ToDictionary(c => c.Id);
        Contexts = accept.PresentationContexts
            .Where(a => a.Result == PresentationContextResult.Acceptance && proposed.ContainsKey(a.Id))
            .ToDictionary(a => a.Id, a => new PresentationContext(a.Id, proposed[a.Id].AbstractSyntax, a.TransferSyntax));
        var peerMax = isRequestor ? accept.UserInformation.MaxPduLength : request.UserInformation.MaxPduLength;
        PeerMaxPduLength = peerMax;
        _chunk = (int)Math.Min(peerMax == 0 ? MaxSentPduLength : peerMax, MaxSentPduLength) - 6;
        if (_chunk < 1)
            throw new DicomNetworkException($"The peer's maximum PDU length ({peerMax}) is too small to carry data.", AbortReason.InvalidPduParameterValue);
    }

    public AssociateRequest Request { get; }

    public AssociateAccept Accept { get; }

    /// <summary>Whether this side requested the association (and so is the SCU of what it proposed).</summary>
    public bool IsRequestor { get; }

    public string CallingAeTitle => Request.CallingAeTitle;

    public string CalledAeTitle => Request.CalledAeTitle;

    /// <summary>This side's peer: the called AE for a requestor, the calling AE for an acceptor.</summary>
    public string PeerAeTitle => IsRequestor ? Request.CalledAeTitle : Request.CallingAeTitle;

    /// <summary>The accepted presentation contexts by ID.</summary>
    public IReadOnlyDictionary<byte, PresentationContext> Contexts { get; }

    /// <summary>The largest P-DATA variable field the peer receives (0: no limit).</summary>
    public uint PeerMaxPduLength { get; }

    /// <summary>The transport, for the receiver.</summary>
    internal Stream Stream => _stream;

    /// <summary>
    /// An accepted context for the abstract syntax: the one with <paramref name="transferSyntax"/> when
    /// given and accepted, else the first; null when none was accepted.
    /// </summary>
    public PresentationContext? FindContext(string abstractSyntax, string? transferSyntax = null)
    {
        PresentationContext? first = null;
        foreach (var context in Contexts.Values.OrderBy(c => c.Id))
        {
            if (context.AbstractSyntax != abstractSyntax)
                continue;
            if (transferSyntax is null || context.TransferSyntax == transferSyntax)
                return context;
            first ??= context;
        }
        return first;
    }

    /// <summary>A message ID for a new request of this side (never 0, which some peers treat as missing).</summary>
    public ushort NextMessageId()
    {
        var id = (ushort)Interlocked.Increment(ref _nextMessageId);
        return id == 0 ? (ushort)Interlocked.Increment(ref _nextMessageId) : id;
    }

    /// <summary>The ID <see cref="NextMessageId"/> gives next (for one request at a time).</summary>
    public ushort PeekNextMessageId()
    {
        var id = (ushort)(Volatile.Read(ref _nextMessageId) + 1);
        return id == 0 ? (ushort)1 : id;
    }

    /// <summary>
    /// Sends a request of this side and waits for its response, which whoever reads the association
    /// hands over with <see cref="TryDeliver"/> (an acceptor's C-STORE sub-operations of a C-GET).
    /// After <see cref="FailAwaiting"/> it fails at once and sends nothing.
    /// </summary>
    public async Task<DimseMessage> RequestAsync(byte contextId, DicomDataset command, Stream dataset, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        var id = NextMessageId();
        command.SetUInt16(DicomTags.MessageId, id);
        var response = new TaskCompletionSource<DimseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Checked and registered under the gate FailAwaiting takes: a request that slipped in just after it
        // (a storage commitment report racing the peer's A-RELEASE-RQ) would otherwise wait for an answer
        // that no one reads any more, and hold the release for the whole timeout.
        lock (_awaitingGate)
        {
            if (_noMoreAnswers is { } why)
                throw new DicomNetworkException(why);
            _awaiting[id] = response;
        }
        try
        {
            await SendAsync(contextId, command, dataset, ct);
            return await response.Task.WaitAsync(_writeTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{PeerAeTitle} sent no response to message {id} within {_writeTimeout.TotalSeconds:0} s.");
        }
        finally
        {
            _awaiting.TryRemove(id, out _);
        }
    }

    /// <summary>Hands a response to the request of <see cref="RequestAsync"/> waiting for it; false when none is.</summary>
    public bool TryDeliver(DimseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return _awaiting.TryRemove(response.RespondedTo, out var waiting) && waiting.TrySetResult(response);
    }

    /// <summary>
    /// Ends every wait of <see cref="RequestAsync"/>, and refuses the requests that come later: the
    /// association is over, or its release is under way, and no response will be read any more.
    /// </summary>
    public void FailAwaiting(string why)
    {
        lock (_awaitingGate)
            _noMoreAnswers ??= why;
        foreach (var id in _awaiting.Keys)
        {
            if (_awaiting.TryRemove(id, out var waiting))
                waiting.TrySetException(new DicomNetworkException(why));
        }
    }

    /// <summary>Sends a command without a dataset.</summary>
    public Task SendAsync(byte contextId, DicomDataset command, CancellationToken ct) =>
        SendCoreAsync(contextId, command, null, null, ct);

    /// <summary>Sends a command and its dataset, given encoded in the context's transfer syntax.</summary>
    public Task SendAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte> dataset, CancellationToken ct) =>
        SendCoreAsync(contextId, command, dataset, null, ct);

    /// <summary>Sends a command and its dataset, read from <paramref name="dataset"/> to its end in PDU-sized pieces (memory stays flat).</summary>
    public Task SendAsync(byte contextId, DicomDataset command, Stream dataset, CancellationToken ct) =>
        SendCoreAsync(contextId, command, null, dataset, ct);

    /// <summary>Sends an A-RELEASE-RQ/RP or an A-ABORT, after any message being sent.</summary>
    public async Task SendPduAsync(Pdu pdu, CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        try
        {
            await WriteAsync(PduWriter.Encode(pdu), ct);
        }
        finally
        {
            _writing.Release();
        }
    }

    private async Task SendCoreAsync(byte contextId, DicomDataset command, ReadOnlyMemory<byte>? bytes, Stream? stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!Contexts.ContainsKey(contextId))
            throw new ArgumentException($"Presentation context {contextId} was not accepted.", nameof(contextId));
        command.SetUInt16(DicomTags.CommandDataSetType, bytes is null && stream is null ? DimseCommand.NoDataSet : (ushort)0x0000);
        var encoded = DimseCommand.Encode(command);
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderLength + _chunk);
        await _writing.WaitAsync(ct);
        try
        {
            for (var offset = 0; offset < encoded.Length; offset += _chunk)
            {
                var length = Math.Min(_chunk, encoded.Length - offset);
                encoded.AsSpan(offset, length).CopyTo(buffer.AsSpan(HeaderLength));
                await WritePdvAsync(buffer, contextId, length, command: true, last: offset + length == encoded.Length, ct);
            }
            if (bytes is { } memory)
            {
                // An empty dataset is still one (last) fragment.
                var offset = 0;
                do
                {
                    var length = Math.Min(_chunk, memory.Length - offset);
                    memory.Span.Slice(offset, length).CopyTo(buffer.AsSpan(HeaderLength));
                    offset += length;
                    await WritePdvAsync(buffer, contextId, length, command: false, last: offset == memory.Length, ct);
                }
                while (offset < memory.Length);
            }
            else if (stream is not null)
            {
                // Read one piece ahead, so that the last fragment is known to be the last when it is sent.
                var length = await stream.ReadAtLeastAsync(buffer.AsMemory(HeaderLength, _chunk), _chunk, throwOnEndOfStream: false, ct);
                var next = ArrayPool<byte>.Shared.Rent(HeaderLength + _chunk);
                try
                {
                    while (true)
                    {
                        var nextLength = length < _chunk ? 0
                            : await stream.ReadAtLeastAsync(next.AsMemory(HeaderLength, _chunk), _chunk, throwOnEndOfStream: false, ct);
                        await WritePdvAsync(buffer, contextId, length, command: false, last: nextLength == 0, ct);
                        if (nextLength == 0)
                            break;
                        (buffer, next) = (next, buffer);
                        length = nextLength;
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(next);
                }
            }
        }
        finally
        {
            _writing.Release();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Releases the send lock; the stream stays its owner's.</summary>
    public void Dispose() => _writing.Dispose();

    /// <summary>Fills in the 12-byte header in front of <paramref name="length"/> bytes of data and writes the PDU.</summary>
    private Task WritePdvAsync(byte[] buffer, byte contextId, int length, bool command, bool last, CancellationToken ct)
    {
        buffer[0] = Pdu.DataTransferType;
        buffer[1] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(2), (uint)length + 6);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(6), (uint)length + 2);
        buffer[10] = contextId;
        buffer[11] = (byte)((command ? 1 : 0) | (last ? 2 : 0));
        return WriteAsync(buffer.AsMemory(0, HeaderLength + length), ct);
    }

    /// <summary>Writes with the write timeout: a peer that stops reading cannot hold this side forever.</summary>
    private async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(_writeTimeout);
        try
        {
            await _stream.WriteAsync(bytes, timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The peer took in nothing for {_writeTimeout.TotalSeconds:0} s.");
        }
    }
}
