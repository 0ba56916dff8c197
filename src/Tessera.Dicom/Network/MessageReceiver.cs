using System.Buffers;

namespace Tessera.Dicom.Network;

/// <summary>
/// A DIMSE message received whole: its command, and its dataset either in memory or written to the
/// stream the receiver's <see cref="MessageReceiver.OpenSink"/> gave for it.
/// </summary>
public sealed class DimseMessage(PresentationContext context, DicomDataset command)
{
    public PresentationContext Context { get; } = context;

    public DicomDataset Command { get; } = command;

    public ushort CommandField => DimseCommand.Field(Command);

    public bool IsResponse => (CommandField & 0x8000) != 0;

    public bool HasDataSet => DimseCommand.HasDataSet(Command);

    public ushort MessageId => (ushort)(Command.GetInteger(DicomTags.MessageId) ?? 0);

    public ushort RespondedTo => (ushort)(Command.GetInteger(DicomTags.MessageIdBeingRespondedTo) ?? 0);

    public ushort Status => (ushort)(Command.GetInteger(DicomTags.Status) ?? 0);

    /// <summary>The dataset's bytes (in the context's transfer syntax) when it was kept in memory.</summary>
    public ReadOnlyMemory<byte>? DataSet { get; internal set; }

    /// <summary>Where the dataset was written, when a sink took it.</summary>
    public Stream? Sink { get; internal set; }

    /// <summary>Why writing to the sink failed; the rest of the dataset was read and dropped.</summary>
    public Exception? SinkError { get; internal set; }

    /// <summary>The dataset decoded, when it was kept in memory (identifiers, event information).</summary>
    public DicomDataset? ReadDataSet() => DataSet is { } bytes
        ? IO.DicomReader.ReadDataset(new MemoryStream(bytes.ToArray(), writable: false), Tessera.Dicom.TransferSyntax.Lookup(Context.TransferSyntax))
        : null;
}

/// <summary>What the next read of an association gave: a whole message, a control PDU, or neither when the peer closed the connection.</summary>
public readonly record struct Received(DimseMessage? Message, Pdu? Control)
{
    public bool IsClosed => Message is null && Control is null;
}

/// <summary>
/// Reads an association's PDUs and gathers their fragments into whole messages, one message at a
/// time (a message's fragments are not interleaved with another's). A dataset goes to
/// the stream <see cref="OpenSink"/> gives for its command, else into memory up to a limit. A
/// broken PDU or fragment order is a <see cref="DicomNetworkException"/> with the A-ABORT reason.
/// </summary>
public sealed class MessageReceiver(Association association, PduReader reader)
{
    /// <summary>The largest command set read.</summary>
    public const int MaxCommandLength = 1 << 20;

    /// <summary>The largest dataset kept in memory (identifiers, event reports); larger ones need a sink.</summary>
    public int MaxInMemoryDataSet { get; init; } = 16 << 20;

    /// <summary>Called when a command that has a dataset is complete; a stream to write the dataset into, or null to keep it in memory.</summary>
    public Func<DimseMessage, CancellationToken, ValueTask<Stream?>>? OpenSink { get; set; }

    /// <summary>The message whose dataset is being received, if any: what an abort or a broken connection leaves incomplete.</summary>
    public DimseMessage? Incomplete { get; private set; }

    private readonly Queue<DimseMessage> _ready = new();
    private readonly ArrayBufferWriter<byte> _command = new();
    private readonly ArrayBufferWriter<byte> _dataSet = new();
    private byte? _commandContext;

    /// <summary>Reads until a message is whole or a control PDU (release, abort) or the end of the connection arrives.</summary>
    public async Task<Received> ReceiveAsync(CancellationToken ct)
    {
        while (true)
        {
            if (_ready.TryDequeue(out var ready))
                return new Received(ready, null);
            var pdu = await reader.ReadAsync(ct);
            if (pdu is null)
                return default;
            if (pdu is not DataTransfer data)
                return new Received(null, pdu);
            // The values point into the reader's buffer: all are taken in before the next read.
            foreach (var value in data.Values)
            {
                if (await AddAsync(value, ct) is { } complete)
                    _ready.Enqueue(complete);
            }
        }
    }

    private async ValueTask<DimseMessage?> AddAsync(Pdv value, CancellationToken ct)
    {
        if (!association.Contexts.TryGetValue(value.PresentationContextId, out var context))
            throw new DicomNetworkException($"data on presentation context {value.PresentationContextId}, which was not accepted", AbortReason.UnexpectedPduParameter);
        if (value.IsCommand)
            return AddCommand(value, context) is { } command ? await StartDataSetAsync(command, ct) : null;
        var message = Incomplete ?? throw new DicomNetworkException("A dataset fragment arrived without its command.", AbortReason.UnexpectedPduParameter);
        if (message.Context.Id != value.PresentationContextId)
            throw new DicomNetworkException($"A dataset fragment on context {value.PresentationContextId} for a command on context {message.Context.Id}.", AbortReason.UnexpectedPduParameter);
        await WriteDataSetAsync(message, value.Data, ct);
        if (!value.IsLast)
            return null;
        Incomplete = null;
        if (message.Sink is null && message.SinkError is null)
        {
            message.DataSet = _dataSet.WrittenMemory.ToArray();
            _dataSet.Clear();
        }
        return message;
    }

    private DimseMessage? AddCommand(Pdv value, PresentationContext context)
    {
        if (Incomplete is not null)
            throw new DicomNetworkException("A command fragment arrived while a dataset was expected.", AbortReason.UnexpectedPduParameter);
        if (_commandContext is { } started && started != value.PresentationContextId)
            throw new DicomNetworkException($"A command continued on context {value.PresentationContextId} after starting on {started}.", AbortReason.UnexpectedPduParameter);
        if (_command.WrittenCount + value.Data.Length > MaxCommandLength)
            throw new DicomNetworkException("A command set larger than 1 MiB.", AbortReason.InvalidPduParameterValue);
        _command.Write(value.Data.Span);
        _commandContext = value.PresentationContextId;
        if (!value.IsLast)
            return null;
        var command = DimseCommand.Decode(_command.WrittenMemory);
        _command.Clear();
        _commandContext = null;
        return new DimseMessage(context, command);
    }

    /// <summary>A command without a dataset is whole; one with a dataset waits for it, in a sink if the owner gives one.</summary>
    private async ValueTask<DimseMessage?> StartDataSetAsync(DimseMessage message, CancellationToken ct)
    {
        if (!message.HasDataSet)
            return message;
        Incomplete = message;
        if (OpenSink is not null)
        {
            try
            {
                message.Sink = await OpenSink(message, ct);
            }
            catch (IOException e)
            {
                message.SinkError = e;
            }
        }
        return null;
    }

    private async ValueTask WriteDataSetAsync(DimseMessage message, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (message.SinkError is not null)
            return; // the rest is read and dropped; the owner answers with the error
        if (message.Sink is { } sink)
        {
            try
            {
                await sink.WriteAsync(data, ct);
            }
            catch (IOException e)
            {
                message.SinkError = e;
            }
            return;
        }
        if (_dataSet.WrittenCount + data.Length > MaxInMemoryDataSet)
            throw new DicomNetworkException($"A dataset larger than {MaxInMemoryDataSet >> 20} MiB where none was expected.", AbortReason.InvalidPduParameterValue);
        _dataSet.Write(data.Span);
    }
}
