namespace Tessera.Dicom.Network;

public sealed partial class AssociationAcceptor
{
    /// <summary>One accepted association being served: the reading loop and the operation in progress.</summary>
    private sealed class Serving(AcceptorPolicy policy, Association association, DimseService service, PduReader reader)
    {
        private readonly MessageReceiver _receiver = new(association, reader);
        private Task? _operation;
        private CancellationTokenSource? _operationCancel;
        private ushort _operationId;
        private volatile bool _finishing;
        private volatile bool _cancelled;
        private volatile bool _releaseRequested;
        private CancellationTokenSource _ending = null!;
        private CancellationTokenSource? _idle;
        private volatile string? _endedBecause;
        private Exception? _failure;
        private int _messages;

        private string Calling => association.CallingAeTitle;

        public async Task<AssociationOutcome> RunAsync(CancellationToken stopping)
        {
            using var ending = _ending = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            // Operations and their sub-operations stop when the association ends, not only when the server stops.
            var ct = ending.Token;
            using var idle = _idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
            service.Watch(IdleTime, EndIfIdle);
            _receiver.OpenSink = (message, token) => message.CommandField == DimseCommand.CStoreRequest && StoreRequestOf(message) is { } store
                ? OpenSinkAsync(store, token)
                : ValueTask.FromResult<Stream?>(null);
            try
            {
                while (true)
                {
                    await ArmIdleTimerAsync(idle);
                    Received received;
                    try
                    {
                        received = await _receiver.ReceiveAsync(idle.Token);
                    }
                    catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                    {
                        return await EndAsync(AbortReason.NotSpecified, _endedBecause ?? $"the peer sent nothing for {policy.IdleTimeout.TotalSeconds:0} s");
                    }
                    switch (received)
                    {
                        case { IsClosed: true }:
                            return await EndAsync(null, "closed by the peer without a release");
                        case { Control: ReleaseRequest }:
                            // A report waiting for its answer will get none now: it goes on a new association instead.
                            _releaseRequested = true;
                            association.FailAwaiting("the peer asked to release the association");
                            await WaitForOperationAsync();
                            await association.SendPduAsync(ReleaseResponse.Instance, ct);
                            return Outcome("released");
                        case { Control: Abort abort }:
                            return await EndAsync(null, $"aborted by the peer ({abort.Reason})");
                        case { Control: { } other }:
                            return await EndAsync(AbortReason.UnexpectedPdu, $"unexpected PDU type 0x{other.Type:X2}");
                        case { Message: { } message }:
                            if (await DispatchAsync(message, ct) is { } refusal)
                                return await EndAsync(AbortReason.UnexpectedPduParameter, refusal);
                            break;
                    }
                }
            }
            catch (DicomNetworkException e)
            {
                return await EndAsync(e.AbortReason, e.Message);
            }
            catch (TimeoutException e)
            {
                return await EndAsync(AbortReason.NotSpecified, e.Message);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                await EndAsync(null, "");
                throw;
            }
        }

        /// <summary>Idle: no operation in progress (or ending) and nothing heard from the peer since; null while busy.</summary>
        private TimeSpan? IdleTime() =>
            _operation is { IsCompleted: false } || _ending.IsCancellationRequested ? null : System.Diagnostics.Stopwatch.GetElapsedTime(reader.LastReadTimestamp);

        private bool EndIfIdle(string reason)
        {
            if (IdleTime() is null || _idle is not { } idle)
                return false;
            _endedBecause = reason;
            try
            {
                idle.Cancel();
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false; // it ended meanwhile
            }
        }

        /// <summary>Silence counts only between operations: while one runs, the peer is waiting for its answers.</summary>
        private async Task ArmIdleTimerAsync(CancellationTokenSource idle)
        {
            idle.CancelAfter(Timeout.InfiniteTimeSpan);
            if (_operation is { IsCompleted: true } done)
            {
                await done;
                _operation = null;
                _operationCancel?.Dispose();
                _operationCancel = null;
            }
            if (_operation is null)
                idle.CancelAfter(policy.IdleTimeout);
            else
                _ = _operation.ContinueWith(_ => TryArm(idle), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void TryArm(CancellationTokenSource idle)
        {
            try
            {
                idle.CancelAfter(policy.IdleTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The association ended first.
            }
        }

        /// <summary>Starts a request's operation, routes a cancel to it; a protocol violation comes back as the reason to abort.</summary>
        private async Task<string?> DispatchAsync(DimseMessage message, CancellationToken ct)
        {
            _messages++;
            if (message.IsResponse)
                return association.TryDeliver(message) ? null : $"a response (command 0x{message.CommandField:X4}) to no request of this side";
            if (message.CommandField == DimseCommand.CCancelRequest)
            {
                if (_operation is not null && message.RespondedTo == _operationId && !_finishing)
                {
                    _cancelled = true;
                    _operationCancel?.Cancel();
                }
                return null;
            }
            if (_operation is not null)
            {
                // The peer may send its next request as soon as the final response is out, before the operation's task has ended.
                if (!_finishing)
                    return "a request while another was being performed (the negotiated window is 1)";
                await _operation;
                _operationCancel?.Dispose();
            }
            _finishing = false;
            _cancelled = false;
            _operationCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _operationId = message.MessageId;
            _operation = PerformAsync(message, _operationCancel.Token, ct);
            return null;
        }

        /// <summary>Performs a request and sends its final response; <paramref name="ct"/> is cancelled by a C-CANCEL or the association's end.</summary>
        private async Task PerformAsync(DimseMessage message, CancellationToken ct, CancellationToken associationToken)
        {
            await Task.Yield();
            DimseStatus status;
            try
            {
                if ((message.CommandField == DimseCommand.CMoveRequest && DimseSopClasses.IsMove(message.Context.AbstractSyntax))
                    || (message.CommandField == DimseCommand.CGetRequest && DimseSopClasses.IsGet(message.Context.AbstractSyntax)))
                {
                    // A retrieval counts its sub-operations and sends every response itself, the final one included.
                    await new RetrieveOperation(association, service, message, policy.IdleTimeout, () => _finishing = true).RunAsync(ct, associationToken);
                    return;
                }
                if (message.CommandField == DimseCommand.NActionRequest && message.Context.AbstractSyntax == DimseSopClasses.StorageCommitmentPushModel)
                {
                    await CommitAsync(message, ct, associationToken);
                    return;
                }
                status = message.CommandField switch
                {
                    DimseCommand.CEchoRequest when message.Context.AbstractSyntax == VerificationSopClass => await service.EchoAsync(ct),
                    DimseCommand.CEchoRequest => DimseStatus.SopClassNotSupported("C-ECHO on a context that is not Verification"),
                    DimseCommand.CStoreRequest => await StoreAsync(message, ct),
                    DimseCommand.CFindRequest when DimseSopClasses.IsFind(message.Context.AbstractSyntax) => await FindAsync(message, ct),
                    DimseCommand.NEventReportRequest when message.Context.AbstractSyntax == DimseSopClasses.StorageCommitmentPushModel => await service.CommitmentReportedAsync(
                        (ushort)(message.Command.GetInteger(DicomTags.EventTypeId) ?? 0), message.ReadDataSet() ?? new DicomDataset(), ct),
                    _ => DimseStatus.UnrecognizedOperation($"Command 0x{message.CommandField:X4} is not served on this context"),
                };
            }
            catch (OperationCanceledException) when (_cancelled && !associationToken.IsCancellationRequested)
            {
                status = DimseStatus.Cancel;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return; // the association is ending
            }
            catch (Exception e) when (e is not DicomNetworkException and not IOException and not TimeoutException)
            {
                _failure ??= e;
                status = DimseStatus.ProcessingFailure("The operation failed on the server; see its log");
            }
            _finishing = true;
            await association.SendAsync(message.Context.Id, DimseCommand.Response(message.Command, status.Code, status.Comment), associationToken);
        }

        /// <summary>
        /// Storage commitment (PS3.4 J.3.2): the N-ACTION answered, then the report (N-EVENT-REPORT) sent on this
        /// association; if the requestor releases it first or does not answer, the service sends it on a new one.
        /// </summary>
        private async Task CommitAsync(DimseMessage message, CancellationToken ct, CancellationToken associationToken)
        {
            async Task RespondAsync(DimseStatus status)
            {
                _finishing = true;
                await association.SendAsync(message.Context.Id, DimseCommand.Response(message.Command, status.Code, status.Comment), associationToken);
            }
            if (message.Command.GetString(DicomTags.RequestedSopInstanceUid) != DimseSopClasses.StorageCommitmentPushModelInstance)
            {
                await RespondAsync(new DimseStatus(0x0117, "The requested SOP instance is not the storage commitment instance"));
                return;
            }
            if (message.Command.GetInteger(DicomTags.ActionTypeId) != StorageCommitment.RequestAction)
            {
                await RespondAsync(new DimseStatus(0x0123, "Storage commitment has action type 1 only"));
                return;
            }
            CommitmentRequest request;
            try
            {
                request = StorageCommitment.ReadRequest(message.ReadDataSet() ?? throw new DicomException("the request has no action information"));
            }
            catch (DicomException e)
            {
                await RespondAsync(new DimseStatus(0x0115, $"Invalid action information: {e.Message}"));
                return;
            }
            if (await service.CommitAsync(request, ct) is not { } result)
            {
                await RespondAsync(DimseStatus.SopClassNotSupported("This node does not commit storage"));
                return;
            }
            await RespondAsync(DimseStatus.Success);
            var information = StorageCommitment.EventInformation(request, result);
            if (!_releaseRequested)
            {
                try
                {
                    using var encoded = new MemoryStream();
                    IO.DicomWriter.WriteDataset(encoded, information, TransferSyntax.Lookup(message.Context.TransferSyntax));
                    encoded.Position = 0;
                    var answer = await association.RequestAsync(message.Context.Id, StorageCommitment.ReportCommand(result.EventType), encoded, associationToken);
                    if (new DimseStatus(answer.Status).IsSuccess)
                        return;
                }
                catch (Exception e) when (e is DicomNetworkException or TimeoutException or IOException or OperationCanceledException)
                {
                    // Released or gone before it answered: the report goes on a new association.
                }
            }
            service.ReportLater(association.CallingAeTitle, association.CalledAeTitle, result.EventType, information);
        }

        /// <summary>C-FIND: each match as a pending response with its identifier, then the final status.</summary>
        private async Task<DimseStatus> FindAsync(DimseMessage message, CancellationToken ct)
        {
            DicomDataset identifier;
            try
            {
                identifier = message.ReadDataSet() ?? throw new DicomException("the C-FIND request has no identifier");
            }
            catch (DicomException e)
            {
                return DimseStatus.UnableToProcess($"The identifier cannot be read: {e.Message}");
            }
            var answer = await service.FindAsync(new FindRequest(message.Context, message.MessageId, message.Context.AbstractSyntax, identifier), ct);
            if (answer.Refusal is { } refusal || answer.Matches is not { } matches)
                return answer.Refusal ?? DimseStatus.UnableToProcess("No answer");
            var pending = answer.OptionalKeysIgnored ? DimseStatus.PendingWithWarning : DimseStatus.Pending;
            var syntax = TransferSyntax.Lookup(message.Context.TransferSyntax);
            await foreach (var match in matches.WithCancellation(ct))
            {
                using var encoded = new MemoryStream();
                IO.DicomWriter.WriteDataset(encoded, match, syntax);
                await association.SendAsync(message.Context.Id, DimseCommand.Response(message.Command, pending.Code),
                    encoded.GetBuffer().AsMemory(0, (int)encoded.Length), ct);
            }
            return DimseStatus.Success;
        }

        private async Task<DimseStatus> StoreAsync(DimseMessage message, CancellationToken ct)
        {
            var request = StoreRequestOf(message);
            if (message.Sink is not { } sink || request is null)
            {
                if (message.Sink is { } orphan)
                    await orphan.DisposeAsync();
                return message.SinkError is { } error
                    ? DimseStatus.OutOfResources($"The dataset could not be written: {error.Message}")
                    : DimseStatus.DataSetDoesNotMatchSopClass("The C-STORE request names no SOP class or instance UID, or has no dataset");
            }
            if (message.SinkError is { } failed)
            {
                await service.AbandonStoreAsync(request, sink);
                return DimseStatus.OutOfResources($"The dataset could not be written: {failed.Message}");
            }
            return await service.StoreAsync(request, sink, ct);
        }

        private async ValueTask<Stream?> OpenSinkAsync(StoreRequest request, CancellationToken ct) => await service.OpenStoreAsync(request, ct);

        private static StoreRequest? StoreRequestOf(DimseMessage message) => StoreRequest.From(message);

        private async Task WaitForOperationAsync()
        {
            if (_operation is { } operation)
                await operation;
        }

        /// <summary>Ends the association: the operation stopped, a dataset in flight dropped, an A-ABORT sent when <paramref name="abort"/> is given.</summary>
        private async Task<AssociationOutcome> EndAsync(AbortReason? abort, string how)
        {
            _ending.Cancel();
            association.FailAwaiting(how.Length == 0 ? "the association ended" : how);
            _operationCancel?.Cancel();
            try
            {
                await WaitForOperationAsync();
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or DicomNetworkException)
            {
                // Its answer could not be sent: the association is going anyway.
            }
            _operationCancel?.Dispose();
            if (_receiver.Incomplete is { Sink: { } sink } incomplete && StoreRequestOf(incomplete) is { } request)
                await service.AbandonStoreAsync(request, sink);
            else if (_receiver.Incomplete?.Sink is { } orphan)
                await orphan.DisposeAsync();
            if (abort is { } reason)
                return (await AbortAsync(association.Stream, association, Calling, how, reason, _messages)) with { Failure = _failure };
            return Outcome(how);
        }

        private AssociationOutcome Outcome(string how) => new(Calling, how, _messages) { Failure = _failure };
    }
}
