using System.Net;
using Tessera.Dicom.Dictionary;

namespace Tessera.Dicom.Network;

/// <summary>
/// What an acceptor takes: the non-storage services it offers (accepted in uncompressed little
/// endian), whether it takes storage SOP classes (in any transfer syntax the toolkit reads, so that
/// what a modality sends is stored as sent), and its limits.
/// </summary>
public sealed record AcceptorPolicy(uint MaxPduLength, TimeSpan ArtimTimeout, TimeSpan IdleTimeout)
{
    public IReadOnlySet<string> AbstractSyntaxes { get; init; } = new HashSet<string> { AssociationAcceptor.VerificationSopClass };

    public bool AcceptsStorage { get; init; }
}

/// <summary>How an association ended, for the log; <see cref="Failure"/> is an operation's unexpected error.</summary>
public sealed record AssociationOutcome(string CallingAeTitle, string How, int Messages)
{
    public string CalledAeTitle { get; init; } = "";

    public Exception? Failure { get; init; }
}

/// <summary>
/// The acceptor side of one association (PS3.8 state machine, acceptor states): reads the
/// A-ASSOCIATE-RQ within the ARTIM timeout and lets the <see cref="IAssociationHandler"/> accept or
/// reject it; negotiates the presentation contexts by the policy; then reads messages while the
/// service performs them, one at a time (the asynchronous operations window is 1), until the peer
/// releases or aborts, stays silent past the idle timeout between operations, or breaks the
/// protocol (answered with an A-ABORT carrying the reason). Reading goes on during an operation, so
/// that a C-CANCEL reaches it. A dataset that does not arrive whole is handed back to the service
/// to be dropped: nothing partial is stored.
/// </summary>
public sealed partial class AssociationAcceptor(AcceptorPolicy policy, IAssociationHandler handler)
{
    public const string VerificationSopClass = DimseSopClasses.Verification;

    private static readonly string[] s_uncompressed = [TransferSyntax.ExplicitVrLittleEndian.Uid, TransferSyntax.ImplicitVrLittleEndian.Uid];

    /// <param name="requested">Told once the association request has been read (the connection is no longer an idle socket).</param>
    public async Task<AssociationOutcome> ServeAsync(Stream stream, EndPoint? peer, CancellationToken ct, Action? requested = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new PduReader(stream, policy.MaxPduLength);
        AssociateRequest request;
        try
        {
            if (await ReadRequestAsync(reader, ct) is not { } first)
                return await AbortAsync(stream, null, "", "no A-ASSOCIATE-RQ first", AbortReason.UnexpectedPdu, 0);
            request = first;
            requested?.Invoke();
        }
        catch (DicomNetworkException e)
        {
            return await AbortAsync(stream, null, "", e.Message, e.AbortReason, 0);
        }
        catch (TimeoutException e)
        {
            return await AbortAsync(stream, null, "", e.Message, AbortReason.NotSpecified, 0);
        }
        var decision = request.ApplicationContextName != ApplicationContext.Dicom
            ? AssociationDecision.Rejected(AssociateReject.ApplicationContextNotSupported, $"application context {request.ApplicationContextName}")
            : await handler.NegotiateAsync(request, peer, ct);
        if (decision.Reject is { } reject || decision.Service is not { } service)
        {
            await PduWriter.WriteAsync(stream, decision.Reject!, ct);
            return new AssociationOutcome(request.CallingAeTitle, $"rejected: {decision.Why ?? "reason " + decision.Reject!.Reason}", 0)
                { CalledAeTitle = request.CalledAeTitle };
        }
        await using (service)
        {
            var accept = Accept(request, decision);
            await PduWriter.WriteAsync(stream, accept, ct);
            using var association = new Association(stream, request, accept, isRequestor: false, policy.IdleTimeout);
            service.Association = association;
            var outcome = await new Serving(policy, association, service, reader).RunAsync(ct);
            return outcome with { CalledAeTitle = request.CalledAeTitle };
        }
    }

    private async Task<AssociateRequest?> ReadRequestAsync(PduReader reader, CancellationToken ct)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(policy.ArtimTimeout);
        try
        {
            return await reader.ReadAsync(timer.Token) as AssociateRequest;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The peer sent no association request within {policy.ArtimTimeout.TotalSeconds:0} s.");
        }
    }

    private AssociateAccept Accept(AssociateRequest request, AssociationDecision decision)
    {
        var answers = request.PresentationContexts.Select(Answer).ToList();
        var accepted = request.PresentationContexts.Where((_, i) => answers[i].Result == PresentationContextResult.Acceptance)
            .Select(c => c.AbstractSyntax).ToHashSet(StringComparer.Ordinal);
        var user = new UserInformation
        {
            MaxPduLength = policy.MaxPduLength,
            // Operations are performed one at a time: a window was asked for, so it is answered as 1/1.
            AsynchronousOperations = request.UserInformation.AsynchronousOperations is null ? null : ((ushort)1, (ushort)1),
            // Roles are taken as proposed for what was accepted (C-GET: the requestor is the storage SCP on this association).
            RoleSelections = request.UserInformation.RoleSelections.Where(r => accepted.Contains(r.SopClass)).ToList(),
            UserIdentityResponse = request.UserInformation.UserIdentity is { PositiveResponseRequested: true } ? decision.UserIdentityResponse ?? ReadOnlyMemory<byte>.Empty : null,
        };
        return new AssociateAccept(request.CalledAeTitle, request.CallingAeTitle, answers, user);
    }

    private PresentationContextAnswer Answer(PresentationContextProposal proposal)
    {
        var storage = policy.AcceptsStorage && DicomUids.Find(proposal.AbstractSyntax) is { IsStorage: true };
        if (!storage && !policy.AbstractSyntaxes.Contains(proposal.AbstractSyntax))
            return new PresentationContextAnswer(proposal.Id, PresentationContextResult.AbstractSyntaxNotSupported, proposal.TransferSyntaxes[0]);
        var chosen = storage ? ChooseForStorage(proposal.TransferSyntaxes) : s_uncompressed.FirstOrDefault(proposal.TransferSyntaxes.Contains);
        return chosen is null
            ? new PresentationContextAnswer(proposal.Id, PresentationContextResult.TransferSyntaxesNotSupported, proposal.TransferSyntaxes[0])
            : new PresentationContextAnswer(proposal.Id, PresentationContextResult.Acceptance, chosen);
    }

    /// <summary>
    /// Storage keeps what the sender has: the first compressed (encapsulated) syntax offered that the toolkit
    /// reads, so that nothing is decoded on the way; else explicit little endian, implicit, deflated, and
    /// the retired big endian last.
    /// </summary>
    private static string? ChooseForStorage(IReadOnlyList<string> offered)
    {
        if (offered.FirstOrDefault(uid => TransferSyntax.IsKnownUid(uid) && TransferSyntax.Lookup(uid).Encapsulated) is { } compressed)
            return compressed;
        string[] preference = [.. s_uncompressed, TransferSyntax.DeflatedExplicitVrLittleEndian.Uid, TransferSyntax.ExplicitVrBigEndian.Uid];
        return preference.FirstOrDefault(offered.Contains) ?? offered.FirstOrDefault(TransferSyntax.IsKnownUid);
    }

    private static async Task<AssociationOutcome> AbortAsync(Stream stream, Association? association, string calling, string why, AbortReason reason, int messages)
    {
        try
        {
            var abort = new Abort(AbortSource.ServiceProvider, reason);
            using var timer = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (association is not null)
                await association.SendPduAsync(abort, timer.Token);
            else
                await PduWriter.WriteAsync(stream, abort, timer.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or TimeoutException or ObjectDisposedException)
        {
            // The peer is gone already, or takes nothing in.
        }
        return new AssociationOutcome(calling, $"aborted: {why}", messages);
    }
}
