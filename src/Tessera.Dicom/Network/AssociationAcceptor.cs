using System.Buffers;
namespace Tessera.Dicom.Network;

/// <summary>What an acceptor takes: its AE title, the abstract syntaxes it serves, the transfer syntaxes in order of preference, and its limits.</summary>
public sealed record AcceptorPolicy(
    string AeTitle,
    IReadOnlySet<string> AbstractSyntaxes,
    IReadOnlyList<string> TransferSyntaxes,
    uint MaxPduLength,
    TimeSpan ArtimTimeout,
    TimeSpan IdleTimeout);

/// <summary>How an association ended, for the log.</summary>
public sealed record AssociationOutcome(string CallingAeTitle, string How, int Messages);

/// <summary>
/// The acceptor side of one association (PS3.8 state machine, acceptor states): reads the
/// A-ASSOCIATE-RQ within the ARTIM timeout, answers it by the policy, then serves DIMSE messages
/// until the peer releases or aborts, stays silent past the idle timeout, or breaks the protocol
/// (answered with an A-ABORT carrying the reason). Operations are performed one at a time (the
/// asynchronous operations window is 1). C-ECHO is answered here; other commands are refused
/// with "unrecognized operation" until their services exist.
/// </summary>
public sealed class AssociationAcceptor(AcceptorPolicy policy)
{
    public const string VerificationSopClass = "1.2.840.10008.1.1";

    public async Task<AssociationOutcome> ServeAsync(Stream stream, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new PduReader(stream, policy.MaxPduLength);
        var calling = "";
        var messages = 0;
        try
        {
            if (await ReadAsync(reader, policy.ArtimTimeout, ct) is not AssociateRequest request)
                return await AbortAsync(stream, calling, "no A-ASSOCIATE-RQ first", AbortReason.UnexpectedPdu, messages, ct);
            calling = request.CallingAeTitle;
            if (Reject(request) is { } reject)
            {
                await PduWriter.WriteAsync(stream, reject, ct);
                return new AssociationOutcome(calling, $"rejected (reason {reject.Reason})", 0);
            }
            var accept = Accept(request);
            await PduWriter.WriteAsync(stream, accept, ct);
            var contexts = accept.PresentationContexts.Where(c => c.Result == PresentationContextResult.Acceptance).ToDictionary(c => c.Id);
            var peerMax = request.UserInformation.MaxPduLength;
            var message = new MessageAssembler();
            while (true)
            {
                switch (await ReadAsync(reader, policy.IdleTimeout, ct))
                {
                    case null:
                        return new AssociationOutcome(calling, "closed by the peer without a release", messages);
                    case DataTransfer data:
                        foreach (var value in data.Values)
                        {
                            if (!contexts.ContainsKey(value.PresentationContextId))
                                return await AbortAsync(stream, calling, $"data on presentation context {value.PresentationContextId}, which was not accepted",
                                    AbortReason.UnexpectedPduParameter, messages, ct);
                            if (message.Add(value) is { } command)
                            {
                                messages++;
                                var response = Perform(command, request.PresentationContexts.First(c => c.Id == value.PresentationContextId).AbstractSyntax);
                                await SendCommandAsync(stream, value.PresentationContextId, response, peerMax, ct);
                            }
                        }
                        break;
                    case ReleaseRequest:
                        await PduWriter.WriteAsync(stream, ReleaseResponse.Instance, ct);
                        return new AssociationOutcome(calling, "released", messages);
                    case Abort abort:
                        return new AssociationOutcome(calling, $"aborted by the peer ({abort.Reason})", messages);
                    case var other:
                        return await AbortAsync(stream, calling, $"unexpected PDU type 0x{other.Type:X2}", AbortReason.UnexpectedPdu, messages, ct);
                }
            }
        }
        catch (DicomNetworkException e)
        {
            return await AbortAsync(stream, calling, e.Message, e.AbortReason, messages, ct);
        }
        catch (TimeoutException e)
        {
            return await AbortAsync(stream, calling, e.Message, AbortReason.NotSpecified, messages, ct);
        }
    }

    private static async Task<Pdu?> ReadAsync(PduReader reader, TimeSpan timeout, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            return await reader.ReadAsync(timer.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The peer sent nothing for {timeout.TotalSeconds:0} s.");
        }
    }

    private AssociateReject? Reject(AssociateRequest request)
    {
        if (request.ApplicationContextName != ApplicationContext.Dicom)
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, AssociateReject.ApplicationContextNotSupported);
        if (request.CalledAeTitle != policy.AeTitle)
            return new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, AssociateReject.CalledAeNotRecognized);
        return null;
    }

    private AssociateAccept Accept(AssociateRequest request)
    {
        var answers = request.PresentationContexts.Select(proposal =>
        {
            if (!policy.AbstractSyntaxes.Contains(proposal.AbstractSyntax))
                return new PresentationContextAnswer(proposal.Id, PresentationContextResult.AbstractSyntaxNotSupported, proposal.TransferSyntaxes[0]);
            var chosen = policy.TransferSyntaxes.FirstOrDefault(proposal.TransferSyntaxes.Contains);
            return chosen is null
                ? new PresentationContextAnswer(proposal.Id, PresentationContextResult.TransferSyntaxesNotSupported, proposal.TransferSyntaxes[0])
                : new PresentationContextAnswer(proposal.Id, PresentationContextResult.Acceptance, chosen);
        }).ToList();
        var user = new UserInformation
        {
            MaxPduLength = policy.MaxPduLength,
            // Operations are performed one at a time: a window was asked for, so it is answered as 1/1.
            AsynchronousOperations = request.UserInformation.AsynchronousOperations is null ? null : ((ushort)1, (ushort)1),
        };
        return new AssociateAccept(request.CalledAeTitle, request.CallingAeTitle, answers, user);
    }

    private static DicomDataset Perform(DicomDataset command, string abstractSyntax) => DimseCommand.Field(command) switch
    {
        DimseCommand.CEchoRequest when abstractSyntax == VerificationSopClass => DimseCommand.Response(command, DimseCommand.Success),
        DimseCommand.CEchoRequest => DimseCommand.Response(command, DimseCommand.SopClassNotSupported, "C-ECHO on a context that is not Verification"),
        _ => DimseCommand.Response(command, DimseCommand.UnrecognizedOperation, "This operation is not served here yet"),
    };

    /// <summary>Sends a command set in as many PDUs as the peer's maximum length needs.</summary>
    private static async Task SendCommandAsync(Stream stream, byte contextId, DicomDataset command, uint peerMax, CancellationToken ct)
    {
        var bytes = DimseCommand.Encode(command);
        var chunk = peerMax == 0 ? bytes.Length : (int)Math.Max(1, peerMax - 6);
        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            var length = Math.Min(chunk, bytes.Length - offset);
            var last = offset + length == bytes.Length;
            await PduWriter.WriteAsync(stream, new DataTransfer([new Pdv(contextId, true, last, bytes.AsMemory(offset, length))]), ct);
        }
    }

    private static async Task<AssociationOutcome> AbortAsync(Stream stream, string calling, string why, AbortReason reason, int messages, CancellationToken ct)
    {
        try
        {
            await PduWriter.WriteAsync(stream, new Abort(AbortSource.ServiceProvider, reason), ct);
        }
        catch (IOException)
        {
            // The peer is gone already.
        }
        return new AssociationOutcome(calling, $"aborted: {why}", messages);
    }

    /// <summary>Gathers the fragments of a command (and skips those of its dataset, until services take datasets).</summary>
    private sealed class MessageAssembler
    {
        private readonly ArrayBufferWriter<byte> _command = new();
        private DicomDataset? _waitingForDataSet;

        /// <summary>Adds a fragment; returns the command once it and any dataset are complete.</summary>
        public DicomDataset? Add(Pdv value)
        {
            if (value.IsCommand)
            {
                if (_waitingForDataSet is not null)
                    throw new DicomNetworkException("A command fragment arrived while a dataset was expected.", AbortReason.UnexpectedPduParameter);
                if (_command.WrittenCount + value.Data.Length > 1 << 20)
                    throw new DicomNetworkException("A command set larger than 1 MiB.", AbortReason.InvalidPduParameterValue);
                _command.Write(value.Data.Span);
                if (!value.IsLast)
                    return null;
                var command = DimseCommand.Decode(_command.WrittenMemory.ToArray());
                _command.Clear();
                if (!DimseCommand.HasDataSet(command))
                    return command;
                _waitingForDataSet = command;
                return null;
            }
            if (_waitingForDataSet is null)
                throw new DicomNetworkException("A dataset fragment arrived without its command.", AbortReason.UnexpectedPduParameter);
            if (!value.IsLast)
                return null;
            var complete = _waitingForDataSet;
            _waitingForDataSet = null;
            return complete;
        }
    }
}
