using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Audit;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Where an accepted association's data goes and who it acts as: the project its C-STOREs are stored
/// in (null: stores are refused with <see cref="Why"/>), the caller whose rights apply, what the
/// calling AE may ask, and who its queries and retrievals read as (<see cref="Reader"/>: the caller, or anonymous
/// for an AE whose row names no project — public projects only).
/// </summary>
internal sealed record DicomRoute(string? ProjectSlug, Caller Caller, DicomOperations Allowed, string Why, string Peer, Caller Reader);

/// <summary>
/// Decides on association requests for the archive (docs/configuration.md, "DICOM node"): the calling
/// AE must be in the AE table (unless unknown callers are allowed), from its host when that is
/// checked; a user identity (username and passcode) must be a Tessera user's; the called AE title is
/// the server's own (stores go to the calling AE's project, else the default project) or a
/// project's own (stores go there). Without a user identity an AE acts only in its own row's
/// project: calling another project's AE title is refused. With one, the user's rights apply,
/// confined to the called project when a project's AE title is called. Every refusal is audited.
/// </summary>
internal sealed partial class ArchiveAssociationHandler(IServiceScopeFactory scopes, IOptions<DicomOptions> options, CommitmentReporter reporter,
    AssociationSlots slots, ILogger<ArchiveAssociationHandler> logger)
    : IAssociationHandler
{
    /// <summary>What a caller outside the AE table may ask, when such callers are allowed.</summary>
    private const DicomOperations UnknownCallerOperations = DicomOperations.Echo | DicomOperations.Store;

    public async ValueTask<AssociationDecision> NegotiateAsync(AssociateRequest request, EndPoint? peer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var scope = scopes.CreateAsyncScope();
        try
        {
            var decision = await DecideAsync(scope.ServiceProvider, request, peer, ct);
            if (decision.Service is null)
                await scope.DisposeAsync();
            return decision;
        }
        catch
        {
            await scope.DisposeAsync();
            throw;
        }

        async Task<AssociationDecision> DecideAsync(IServiceProvider services, AssociateRequest request, EndPoint? peer, CancellationToken ct)
        {
            var settings = options.Value;
            var db = services.GetRequiredService<ArchiveDbContext>();
            var calling = request.CallingAeTitle;
            var address = (peer as IPEndPoint)?.Address.ToString() ?? "";
            User? user = null;
            var node = await db.DicomNodes.AsNoTracking().FirstOrDefaultAsync(n => n.AeTitle == calling, ct);
            if (node is null && !settings.AllowUnknownCallers)
                return await RefuseAsync(AssociateReject.CallingAeNotRecognized, $"the calling AE {calling} is not in the AE table", null);
            if (node is not null && settings.CheckCallerHost && !await CallsFromAsync(node.Host, peer, ct))
                return await RefuseAsync(AssociateReject.CallingAeNotRecognized, $"the calling AE {calling} calls from {peer}, not from its host {node.Host}", null);
            if (request.UserInformation.UserIdentity is { } identity)
            {
                (user, var refusal) = await AuthenticateAsync(services.GetRequiredService<UserService>(), identity, address, ct);
                if (user is null)
                    return await RefuseAsync(AssociateReject.NoReasonGiven, refusal!, null);
            }
            Project? called = null;
            if (request.CalledAeTitle != settings.AeTitle)
            {
                called = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.DicomAeTitle == request.CalledAeTitle, ct);
                if (called is null)
                    return await RefuseAsync(AssociateReject.CalledAeNotRecognized, $"the called AE {request.CalledAeTitle} is neither the server's nor a project's", null);
            }
            var allowed = node?.Allow ?? UnknownCallerOperations;
            DicomRoute route;
            if (user is not null)
            {
                // A user identity acts with the user's own rights; a project's AE title confines them to that project.
                var caller = new Caller(user.Id, user.Username, user.IsAdmin, TokenProjectId: called?.Id);
                if (called is not null && !await services.GetRequiredService<AccessService>().CanReadAsync(called.Slug, caller, ct))
                    return await RefuseAsync(AssociateReject.CalledAeNotRecognized, $"the user {user.Username} has no role on the project whose AE title {request.CalledAeTitle} was called", called.Slug);
                var (slug, why) = called is not null ? (called.Slug, "") : await StoreProjectAsync(db, node, settings, ct);
                route = new DicomRoute(slug, caller, allowed, why, address, Reader: caller);
            }
            else if (called is not null)
            {
                // Without a user the AE acts in its own row's project alone: calling another project's AE title grants nothing.
                if (node?.ProjectId != called.Id)
                    return await RefuseAsync(AssociateReject.CallingAeNotRecognized,
                        $"the calling AE {calling} is not registered for the project whose AE title {request.CalledAeTitle} it called", called.Slug);
                var scoped = ScopedCaller(calling, called.Id);
                route = new DicomRoute(called.Slug, scoped, allowed, "", address, Reader: scoped);
            }
            else if (node?.ProjectId is { } own)
            {
                var slug = await db.Projects.Where(p => p.Id == own).Select(p => p.Slug).FirstAsync(ct);
                var scoped = ScopedCaller(calling, own);
                route = new DicomRoute(slug, scoped, allowed, "", address, Reader: scoped);
            }
            else
            {
                // A row without a project, or an unknown caller: its stores go to the default project, and it reads public projects only.
                var (slug, why) = await StoreProjectAsync(db, node, settings, ct);
                var scope = slug is null ? (Guid?)null : await db.Projects.Where(p => p.Slug == slug).Select(p => (Guid?)p.Id).FirstAsync(ct);
                route = new DicomRoute(slug, scope is { } id ? ScopedCaller(calling, id) : Caller.Anonymous, allowed, why, address, Reader: Caller.Anonymous);
            }
            if (slots.TryTake(calling, out var full) is not { } slot)
            {
                LogRejected(calling, request.CalledAeTitle, peer, full);
                return new AssociationDecision(new AssociateReject(RejectResult.Transient, RejectSource.ServiceProviderPresentation, AssociateReject.LocalLimitExceeded), null, full);
            }
            LogAccepted(calling, request.CalledAeTitle, peer, route.ProjectSlug ?? "(none)", user?.Username ?? "(none)");
            var service = new ArchiveDimseService(scope, route, reporter, logger) { Slot = slot };
            slot.Serve(service);
            return AssociationDecision.Accepted(service);

            async Task<AssociationDecision> RefuseAsync(byte reason, string why, string? project)
            {
                LogRejected(calling, request.CalledAeTitle, peer, why);
                await services.GetRequiredService<AuditWriter>().RecordAsync(new AuditEntry
                {
                    At = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, Username = user?.Username,
                    Action = $"DICOM association refused: {calling} → {request.CalledAeTitle}", Project = project, Target = why, Status = 403, ClientAddress = address,
                }, CancellationToken.None);
                return AssociationDecision.Rejected(reason, why);
            }
        }
    }

    /// <summary>An AE acting without a user: every right in its one project, none elsewhere (the scope confines it).</summary>
    private static Caller ScopedCaller(string aeTitle, Guid project) => new(null, "dicom:" + aeTitle, IsAdmin: true, TokenProjectId: project);

    /// <summary>Where stores to the server's own AE title go: the calling AE's row's project, else the default project.</summary>
    private static async Task<(string? Slug, string Why)> StoreProjectAsync(ArchiveDbContext db, DicomNode? node, DicomOptions settings, CancellationToken ct)
    {
        if (node?.ProjectId is { } own)
            return (await db.Projects.Where(p => p.Id == own).Select(p => p.Slug).FirstAsync(ct), "");
        if (string.IsNullOrEmpty(settings.DefaultProject))
            return (null, "the calling AE's row of the AE table names no project and Dicom:DefaultProject is not set");
        return await db.Projects.AnyAsync(p => p.Slug == settings.DefaultProject, ct)
            ? (settings.DefaultProject, "")
            : (null, $"the default project {settings.DefaultProject} does not exist");
    }

    /// <summary>A username and passcode checked as a sign-in is; other kinds of identity are refused (they cannot be verified here).</summary>
    private static async Task<(User? User, string? Refusal)> AuthenticateAsync(UserService users, UserIdentity identity, string address, CancellationToken ct)
    {
        var username = Encoding.UTF8.GetString(identity.Primary.Span);
        if (identity.Kind != UserIdentityType.UsernameAndPasscode)
            return (null, $"a user identity of kind {identity.Kind} (only a username and passcode is verified here)");
        User? user;
        try
        {
            user = await users.SignInAsync(username, Encoding.UTF8.GetString(identity.Secondary.Span), address, "dimse", ct);
        }
        catch (TesseraException e) when (e.Kind == ErrorKind.TooManyRequests)
        {
            return (null, "too many failed sign-ins of this user or from this address; try again later");
        }
        return user is null ? (null, "the user identity's username or passcode is wrong, or the account is disabled") : (user, null);
    }

    private static async Task<bool> CallsFromAsync(string host, EndPoint? peer, CancellationToken ct)
    {
        if (peer is not IPEndPoint { Address: var address })
            return false;
        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (IPAddress.TryParse(host, out var literal))
            return literal.Equals(address);
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host, ct);
            return addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Contains(address);
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 1314, Level = LogLevel.Warning, Message = "DICOM: association {CallingAeTitle} → {CalledAeTitle} from {Peer} refused: {Why}")]
    private partial void LogRejected(string callingAeTitle, string calledAeTitle, EndPoint? peer, string why);

    [LoggerMessage(EventId = 1310, Level = LogLevel.Debug, Message = "DICOM: association {CallingAeTitle} → {CalledAeTitle} from {Peer} accepted; project {Project}, user {User}")]
    private partial void LogAccepted(string callingAeTitle, string calledAeTitle, EndPoint? peer, string project, string user);
}
