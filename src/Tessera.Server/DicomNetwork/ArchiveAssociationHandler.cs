using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Users;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Where an accepted association's data goes and who it acts as: the project its C-STOREs are stored
/// in (null: stores are refused with <see cref="Why"/>), the caller whose rights apply, and what the
/// calling AE may ask.
/// </summary>
internal sealed record DicomRoute(string? ProjectSlug, Caller Caller, DicomOperations Allowed, string Why, string Peer);

/// <summary>
/// Decides on association requests for the archive (docs/configuration.md, "DICOM node"): the calling
/// AE must be in the AE table (unless unknown callers are allowed), from its host when that is
/// checked; a user identity (username and passcode) must be a Tessera user's; the called AE title is
/// the server's own (stores go to the calling AE's project, else the default project) or a
/// project's own (stores go there).
/// </summary>
internal sealed partial class ArchiveAssociationHandler(IServiceScopeFactory scopes, IOptions<DicomOptions> options, CommitmentReporter reporter,
    ILogger<ArchiveAssociationHandler> logger)
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
            var node = await db.DicomNodes.AsNoTracking().FirstOrDefaultAsync(n => n.AeTitle == calling, ct);
            if (node is null && !settings.AllowUnknownCallers)
                return AssociationDecision.Rejected(AssociateReject.CallingAeNotRecognized, $"the calling AE {calling} is not in the AE table");
            if (node is not null && settings.CheckCallerHost && !await CallsFromAsync(node.Host, peer, ct))
                return AssociationDecision.Rejected(AssociateReject.CallingAeNotRecognized, $"the calling AE {calling} calls from {peer}, not from its host {node.Host}");
            User? user = null;
            if (request.UserInformation.UserIdentity is { } identity)
            {
                (user, var refusal) = await AuthenticateAsync(services.GetRequiredService<UserService>(), identity, ct);
                if (user is null)
                    return AssociationDecision.Rejected(AssociateReject.NoReasonGiven, refusal!);
            }
            Guid? projectId;
            string why;
            if (request.CalledAeTitle == settings.AeTitle)
            {
                projectId = node?.ProjectId;
                why = "the calling AE's row of the AE table names no project and Dicom:DefaultProject is not set";
                if (projectId is null && !string.IsNullOrEmpty(settings.DefaultProject))
                {
                    projectId = await db.Projects.Where(p => p.Slug == settings.DefaultProject).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
                    why = $"the default project {settings.DefaultProject} does not exist";
                }
            }
            else
            {
                projectId = await db.Projects.Where(p => p.DicomAeTitle == request.CalledAeTitle).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(ct);
                if (projectId is null)
                    return AssociationDecision.Rejected(AssociateReject.CalledAeNotRecognized, $"the called AE {request.CalledAeTitle} is neither the server's nor a project's");
                why = "";
            }
            var slug = projectId is null ? null : await db.Projects.Where(p => p.Id == projectId).Select(p => p.Slug).FirstAsync(ct);
            // Without a user, the AE acts for its project alone: every right there, none elsewhere.
            var caller = user is not null
                ? new Caller(user.Id, user.Username, user.IsAdmin)
                : projectId is { } scoped ? new Caller(null, "dicom:" + calling, IsAdmin: true, TokenProjectId: scoped) : Caller.Anonymous;
            var route = new DicomRoute(slug, caller, node?.Allow ?? UnknownCallerOperations, why, (peer as IPEndPoint)?.Address.ToString() ?? "");
            LogAccepted(calling, request.CalledAeTitle, peer, slug ?? "(none)", user?.Username ?? "(none)");
            return AssociationDecision.Accepted(new ArchiveDimseService(scope, route, reporter, logger));
        }
    }

    /// <summary>A username and passcode checked as a sign-in is; other kinds of identity are refused (they cannot be verified here).</summary>
    private static async Task<(User? User, string? Refusal)> AuthenticateAsync(UserService users, UserIdentity identity, CancellationToken ct)
    {
        var username = Encoding.UTF8.GetString(identity.Primary.Span);
        if (identity.Kind != UserIdentityType.UsernameAndPasscode)
            return (null, $"a user identity of kind {identity.Kind} (only a username and passcode is verified here)");
        var user = await users.VerifyPasswordAsync(username, Encoding.UTF8.GetString(identity.Secondary.Span), ct);
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

    [LoggerMessage(EventId = 1310, Level = LogLevel.Debug, Message = "DICOM: association {CallingAeTitle} → {CalledAeTitle} from {Peer} accepted; project {Project}, user {User}")]
    private partial void LogAccepted(string callingAeTitle, string calledAeTitle, EndPoint? peer, string project, string user);
}
