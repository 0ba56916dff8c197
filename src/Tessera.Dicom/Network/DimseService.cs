using System.Net.Security;

namespace Tessera.Dicom.Network;

/// <summary>An incoming C-STORE: the context it came on and what its command says.</summary>
public sealed record StoreRequest(
    PresentationContext Context,
    ushort MessageId,
    string SopClassUid,
    string SopInstanceUid,
    string? MoveOriginatorAeTitle,
    ushort? MoveOriginatorMessageId)
{
    /// <summary>The request a C-STORE message makes; null when it names no SOP class or instance.</summary>
    public static StoreRequest? From(DimseMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var command = message.Command;
        if (command.GetString(DicomTags.AffectedSopClassUid) is not { Length: > 0 } sopClass
            || command.GetString(DicomTags.AffectedSopInstanceUid) is not { Length: > 0 } instance)
            return null;
        return new StoreRequest(message.Context, message.MessageId, sopClass, instance,
            command.GetString(DicomTags.MoveOriginatorApplicationEntityTitle),
            command.GetInteger(DicomTags.MoveOriginatorMessageId) is { } id ? (ushort)id : null);
    }
}

/// <summary>An incoming C-FIND: the information model (its SOP class) and the identifier: matching and return keys.</summary>
public sealed record FindRequest(PresentationContext Context, ushort MessageId, string SopClassUid, DicomDataset Identifier);

/// <summary>
/// The answer to a C-FIND: a refusal, or the matches to send one by one (pending, or pending with a
/// warning when optional matching keys were not used).
/// </summary>
public sealed record FindAnswer(DimseStatus? Refusal, IAsyncEnumerable<DicomDataset>? Matches, bool OptionalKeysIgnored = false)
{
    public static FindAnswer Refused(DimseStatus status) => new(status, null);
}

/// <summary>An incoming C-MOVE (with its destination AE) or C-GET (without): the model and the identifier of what to retrieve.</summary>
public sealed record RetrieveRequest(PresentationContext Context, ushort MessageId, string SopClassUid, DicomDataset Identifier, string? MoveDestination);

/// <summary>One stored instance to send: its identity, its stored transfer syntax, and how to open its Part 10 file.</summary>
public sealed record RetrieveInstance(string SopClassUid, string SopInstanceUid, string TransferSyntaxUid, Func<CancellationToken, Task<Stream>> OpenAsync);

/// <summary>The answer to a C-MOVE or C-GET: a refusal, or the instances to send as sub-operations.</summary>
public sealed record RetrieveAnswer(DimseStatus? Refusal, IReadOnlyList<RetrieveInstance> Instances)
{
    public static RetrieveAnswer Refused(DimseStatus status) => new(status, []);
}

/// <summary>Where a C-MOVE destination AE listens; with <see cref="Tls"/>, its sub-operations go over TLS.</summary>
public sealed record MoveDestination(string AeTitle, string Host, int Port)
{
    public SslClientAuthenticationOptions? Tls { get; init; }
}

/// <summary>
/// What an acceptor serves on one association, made by <see cref="IAssociationHandler"/> when it
/// accepts. Operations are called one at a time. An operation left out keeps its default: C-ECHO
/// succeeds; others are refused.
/// </summary>
public abstract class DimseService : IAsyncDisposable
{
    private Func<TimeSpan?>? _idleTime;
    private Func<string, bool>? _endIfIdle;

    /// <summary>The association being served; set before the first operation.</summary>
    public Association Association { get; internal set; } = null!;

    /// <summary>How long the association has been idle: no operation in progress and nothing heard from the peer; null while busy.</summary>
    public TimeSpan? IdleTime => _idleTime?.Invoke();

    /// <summary>Ends the association now if it is idle, aborting it with the reason (a server making room); false when it is busy.</summary>
    public bool TryEndIfIdle(string reason) => _endIfIdle?.Invoke(reason) ?? false;

    internal void Watch(Func<TimeSpan?> idleTime, Func<string, bool> endIfIdle) => (_idleTime, _endIfIdle) = (idleTime, endIfIdle);

    public virtual ValueTask<DimseStatus> EchoAsync(CancellationToken ct) => ValueTask.FromResult(DimseStatus.Success);

    /// <summary>
    /// C-STORE, first half: where the dataset goes (written as it arrives, in the context's transfer syntax).
    /// Each stream opened is handed back once, to <see cref="StoreAsync"/> when the dataset is whole or to
    /// <see cref="AbandonStoreAsync"/> when it is not.
    /// </summary>
    public virtual ValueTask<Stream> OpenStoreAsync(StoreRequest request, CancellationToken ct) =>
        ValueTask.FromResult<Stream>(new MemoryStream());

    /// <summary>C-STORE, second half: the dataset is whole in <paramref name="received"/>; store it durably, then answer.</summary>
    public virtual ValueTask<DimseStatus> StoreAsync(StoreRequest request, Stream received, CancellationToken ct) =>
        ValueTask.FromResult(DimseStatus.SopClassNotSupported("This node does not store"));

    /// <summary>C-FIND: the matches of the identifier, or a refusal. A C-CANCEL cancels <paramref name="ct"/> while they are sent.</summary>
    public virtual ValueTask<FindAnswer> FindAsync(FindRequest request, CancellationToken ct) =>
        ValueTask.FromResult(FindAnswer.Refused(DimseStatus.SopClassNotSupported("This node does not answer queries")));

    /// <summary>C-MOVE and C-GET: the instances the identifier names, or a refusal.</summary>
    public virtual ValueTask<RetrieveAnswer> RetrieveAsync(RetrieveRequest request, CancellationToken ct) =>
        ValueTask.FromResult(RetrieveAnswer.Refused(DimseStatus.SopClassNotSupported("This node does not retrieve")));

    /// <summary>C-MOVE: where the destination AE listens; null when it is not known (refused with 0xA801).</summary>
    public virtual ValueTask<MoveDestination?> FindMoveDestinationAsync(string aeTitle, CancellationToken ct) => ValueTask.FromResult<MoveDestination?>(null);

    /// <summary>Told once a C-MOVE or C-GET has ended, with its counts (for the audit trail).</summary>
    public virtual ValueTask RetrievedAsync(RetrieveRequest request, SubOperationCounts counts) => ValueTask.CompletedTask;

    /// <summary>Storage commitment: which of the request's instances this node holds durably, and why the others fail.</summary>
    public virtual ValueTask<CommitmentResult?> CommitAsync(CommitmentRequest request, CancellationToken ct) => ValueTask.FromResult<CommitmentResult?>(null);

    /// <summary>
    /// A storage commitment report that could not go on the request's association (the requestor released it
    /// first, or did not answer): deliver it on a new association to <paramref name="aeTitle"/>. By default it is dropped.
    /// </summary>
    public virtual void ReportLater(string aeTitle, string ownAeTitle, ushort eventType, DicomDataset eventInformation)
    {
    }

    /// <summary>A storage commitment report (N-EVENT-REPORT) for a commitment this node asked for; its status.</summary>
    public virtual ValueTask<DimseStatus> CommitmentReportedAsync(ushort eventType, DicomDataset eventInformation, CancellationToken ct) =>
        ValueTask.FromResult(DimseStatus.SopClassNotSupported("This node asked for no storage commitment"));

    /// <summary>A dataset that did not arrive whole (abort, lost connection, a failed write): drop what there is of it.</summary>
    public virtual ValueTask AbandonStoreAsync(StoreRequest request, Stream received)
    {
        ArgumentNullException.ThrowIfNull(received);
        return received.DisposeAsync();
    }

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Decides on association requests: a rejection, or the service that serves the association.</summary>
public interface IAssociationHandler
{
    ValueTask<AssociationDecision> NegotiateAsync(AssociateRequest request, System.Net.EndPoint? peer, CancellationToken ct);
}

/// <summary>The answer to an association request, with a reason for the log when it is rejected.</summary>
public sealed record AssociationDecision(AssociateReject? Reject, DimseService? Service, string? Why = null)
{
    /// <summary>The server response to a user identity that asked for one (PS3.7 D.3.3.7.2); empty for username and passcode.</summary>
    public ReadOnlyMemory<byte>? UserIdentityResponse { get; init; }

    public static AssociationDecision Accepted(DimseService service) => new(null, service);

    /// <summary>A permanent rejection by the service user, e.g. <see cref="AssociateReject.CalledAeNotRecognized"/>.</summary>
    public static AssociationDecision Rejected(byte reason, string why) =>
        new(new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, reason), null, why);
}
