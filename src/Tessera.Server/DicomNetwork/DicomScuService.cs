using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Archive.Storage;
using Tessera.Client.Contracts;
using Tessera.Dicom;
using Tessera.Dicom.Dictionary;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// Tessera as a DICOM client of the nodes in the AE table: C-ECHO, C-STORE of a session or scan,
/// C-FIND, and retrieval into a project by C-MOVE to this node or by C-GET. Each call is one
/// association, opened with this node's AE title as the calling title, over TLS to a node whose row says so.
/// The row's <c>allow</c> governs this direction too: echo, find, move and get as named, and sending as <c>store</c>.
/// A row with a project is that project's: its writers may echo, query and retrieve into it, its readers may send it
/// out; a row without a project is for site admins alone.
/// </summary>
internal sealed class DicomScuService(ArchiveDbContext db, IBlobStore blobs, IOptions<DicomOptions> options, AccessService accessService,
    MoveExpectations moves, IServiceScopeFactory scopes, CommitmentReporter reporter, IServiceProvider services, ILogger<DicomScuService> logger)
{
    private static readonly string[] Uncompressed = [TransferSyntax.ExplicitVrLittleEndian.Uid, TransferSyntax.ImplicitVrLittleEndian.Uid];

    private DicomOptions Settings => options.Value;

    public async Task<DicomEchoResult> EchoAsync(Caller caller, string aeTitle, CancellationToken ct)
    {
        var node = await NodeForCallerAsync(caller, aeTitle, DicomOperations.Echo, ct);
        var clock = Stopwatch.StartNew();
        await using var client = await ConnectAsync(node, [new PresentationContextProposal(1, DimseSopClasses.Verification, Uncompressed)], ct);
        await RequireAcceptedAsync(client, node, "verification (C-ECHO)", ct);
        var response = (await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CEchoRequest, DimseSopClasses.Verification), (ReadOnlyMemory<byte>?)null, ct))[^1];
        await client.ReleaseAsync(ct);
        return new DicomEchoResult(node.AeTitle, new DimseStatus(response.Status).ToString(), clock.Elapsed.TotalMilliseconds);
    }

    /// <summary>Sends every DICOM instance of a session or scan, each in its stored syntax where the peer takes it.</summary>
    public async Task<DicomSendReport> SendAsync(ProjectAccess access, string target, string aeTitle, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        var node = await NodeForProjectAsync(access, aeTitle, DicomOperations.Store, ct);
        var instances = await InstancesOfAsync(access, target, ct);
        if (instances.Count == 0)
            throw TesseraException.Invalid($"{target} holds no DICOM instance to send.");
        await using var client = await ConnectAsync(node, StoreSender.Proposal(node.AeTitle, Settings.AeTitle, instances).PresentationContexts, ct);
        var failures = new List<DicomSendFailure>();
        foreach (var instance in instances)
        {
            var status = await StoreSender.SendAsync(client, instance, null, ct);
            if (status.IsFailure)
                failures.Add(new DicomSendFailure(instance.SopInstanceUid, $"0x{status.Code:X4}", status.Comment));
        }
        await client.ReleaseAsync(ct);
        return new DicomSendReport(instances.Count - failures.Count, failures.Count, failures);
    }

    /// <summary>Queries a node; its matches as datasets.</summary>
    public async Task<IReadOnlyList<DicomDataset>> FindAsync(Caller caller, string aeTitle, DicomFindRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = await NodeForCallerAsync(caller, aeTitle, DicomOperations.Find, ct);
        var sopClass = Model(request.Model, DimseSopClasses.StudyRootFind, DimseSopClasses.PatientRootFind);
        var identifier = Identifier(request.Level, request.Keys);
        await using var client = await ConnectAsync(node, [new PresentationContextProposal(1, sopClass, Uncompressed)], ct);
        await RequireAcceptedAsync(client, node, $"queries ({request.Model} root C-FIND)", ct);
        var context = client.Association.Contexts[1];
        var responses = await client.RequestAsync(1, DimseCommand.Request(DimseCommand.CFindRequest, sopClass), Encode(identifier, context), ct);
        await client.ReleaseAsync(ct);
        var final = new DimseStatus(responses[^1].Status, responses[^1].Command.GetString(DicomTags.ErrorComment));
        if (final.IsFailure)
            throw new TesseraException(ErrorKind.Invalid, $"{node.AeTitle} refused the query: {final}");
        return responses.Where(r => new DimseStatus(r.Status).IsPending).Select(r => r.ReadDataSet()).OfType<DicomDataset>().ToList();
    }

    /// <summary>Retrieves what the keys name into the project: by C-MOVE to this node, or by C-GET on the association.</summary>
    public async Task<DicomRetrieveReport> RetrieveAsync(ProjectAccess access, string aeTitle, DicomRetrieveRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(request);
        access.RequireWrite();
        var get = request.Method.Equals("get", StringComparison.OrdinalIgnoreCase);
        if (!get && !request.Method.Equals("move", StringComparison.OrdinalIgnoreCase))
            throw TesseraException.Invalid($"method is 'move' or 'get', not '{request.Method}'.");
        var node = await NodeForProjectAsync(access, aeTitle, get ? DicomOperations.Get : DicomOperations.Move, ct);
        if (!get && Settings.Port == 0 && Settings.Tls.Port == 0)
            throw TesseraException.Invalid("A C-MOVE to this node needs its DICOM listener (Dicom:Port and Dicom:Tls:Port are 0); use method 'get'.");
        var sopClass = get ? Model("study", DimseSopClasses.StudyRootGet, DimseSopClasses.PatientRootGet) : DimseSopClasses.StudyRootMove;
        var identifier = Identifier(request.Level, request.Keys);
        List<PresentationContextProposal> contexts = [new(1, sopClass, Uncompressed)];
        var roles = new List<RoleSelection>();
        if (get)
        {
            // The peer stores on this association: every storage class is offered in every syntax this node keeps (PS3.4 C.4.3).
            var storage = DicomUids.Entries.Where(e => e.IsStorage && !e.Retired).Select(e => e.Uid).Take(126).ToList();
            var syntaxes = TransferSyntax.Known.Select(t => t.Uid).ToList();
            contexts.AddRange(storage.Select((uid, i) => new PresentationContextProposal((byte)(i * 2 + 3), uid, syntaxes)));
            roles.AddRange(storage.Select(uid => new RoleSelection(uid, ScuRole: false, ScpRole: true)));
        }
        await using var client = await ConnectAsync(node, contexts, ct, roles);
        await RequireAcceptedAsync(client, node, get ? "retrieval by C-GET" : "retrieval by C-MOVE", ct);
        var command = DimseCommand.Request(get ? DimseCommand.CGetRequest : DimseCommand.CMoveRequest, sopClass);
        if (!get)
            command.SetString(DicomTags.MoveDestination, DicomVr.AE, Settings.AeTitle);
        await using var incoming = get ? Incoming(access, node.AeTitle) : null;
        client.Incoming = incoming;
        IReadOnlyList<DimseMessage> responses;
        // The stores of a C-MOVE come on associations of their own, told apart by this request's message ID.
        using (get ? null : moves.Expect(node.AeTitle, client.Association.PeekNextMessageId(), access.Project.Slug, access.Caller))
            responses = await client.RequestAsync(1, command, Encode(identifier, client.Association.Contexts[1]), ct);
        await client.ReleaseAsync(ct);
        var final = responses[^1];
        var counts = SubOperationCounts.Read(final.Command);
        var status = new DimseStatus(final.Status, final.Command.GetString(DicomTags.ErrorComment));
        if (status.IsFailure && counts.Completed + counts.Warning == 0)
            throw new TesseraException(ErrorKind.Invalid, $"{node.AeTitle} did not retrieve: {status}");
        return new DicomRetrieveReport(status.ToString(), counts.Completed, counts.Failed, counts.Warning);
    }

    /// <summary>The service that stores a C-GET's instances into the project, with the caller's rights.</summary>
    private ArchiveDimseService Incoming(ProjectAccess access, string aeTitle)
    {
        var route = new DicomRoute(access.Project.Slug, access.Caller, DicomOperations.Store, "", aeTitle, Reader: Caller.Anonymous);
        return new ArchiveDimseService(scopes.CreateAsyncScope(), route, reporter, logger);
    }

    private async Task<DicomNode> NodeAsync(string aeTitle, DicomOperations operation, CancellationToken ct)
    {
        var node = await db.DicomNodes.AsNoTracking().FirstOrDefaultAsync(n => n.AeTitle == aeTitle, ct) ?? throw TesseraException.NotFound($"The AE '{aeTitle}'");
        if (!node.Allow.HasFlag(operation))
        {
            var name = DicomNodeService.NamesOf(operation)[0];
            throw TesseraException.Forbidden(
                $"The AE table does not allow {(operation == DicomOperations.Store ? "sending to" : name + " with")} {aeTitle} (its row allows {string.Join(", ", DicomNodeService.NamesOf(node.Allow))}); a site admin can add '{name}' to its allow list.");
        }
        return node;
    }

    /// <summary>A node the caller may echo or query: any for site admins, else one whose project the caller may write.</summary>
    private async Task<DicomNode> NodeForCallerAsync(Caller caller, string aeTitle, DicomOperations operation, CancellationToken ct)
    {
        var node = await NodeAsync(aeTitle, operation, ct);
        if (caller.IsAdmin && caller.TokenProjectId is null)
            return node;
        var slug = node.ProjectId is { } id ? await db.Projects.Where(p => p.Id == id).Select(p => p.Slug).FirstOrDefaultAsync(ct) : null;
        try
        {
            if (slug is not null && (await accessService.RequireAsync(slug, caller, AccessLevel.Write, ct)).CanWrite)
                return node;
        }
        catch (TesseraException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.Forbidden)
        {
        }
        throw NotYours(aeTitle);
    }

    /// <summary>A node a project's data may go to or come from: any for site admins, else one whose row names that project.</summary>
    private async Task<DicomNode> NodeForProjectAsync(ProjectAccess access, string aeTitle, DicomOperations operation, CancellationToken ct)
    {
        var node = await NodeAsync(aeTitle, operation, ct);
        if ((access.Caller.IsAdmin && access.Caller.TokenProjectId is null) || node.ProjectId == access.Project.Id)
            return node;
        throw NotYours(aeTitle);
    }

    private static TesseraException NotYours(string aeTitle) => TesseraException.Forbidden(
        $"{aeTitle} is not a node of a project you may change: a node is used by the writers (for sending, the readers) of the project its AE table row names, and a node without a project by site admins alone.");

    private async Task<DimseClient> ConnectAsync(DicomNode node, IReadOnlyList<PresentationContextProposal> contexts, CancellationToken ct,
        IReadOnlyList<RoleSelection>? roles = null)
    {
        var request = new AssociateRequest(node.AeTitle, Settings.AeTitle, contexts,
            new UserInformation { MaxPduLength = (uint)Settings.MaxPduLength, RoleSelections = roles ?? [] });
        string? refused = null;
        var tls = node.Tls ? services.GetRequiredService<DicomTlsCredentials>().ClientOptions(node.TlsServerName ?? node.Host, why => refused = why) : null;
        try
        {
            return await DimseClient.ConnectAsync(node.Host, node.Port, request, tls, Settings.ArtimTimeout, ct);
        }
        catch (DicomNetworkException) when (refused is not null)
        {
            throw new TesseraException(ErrorKind.Invalid, $"{node.AeTitle} at {node.Host}:{node.Port}: the TLS handshake was refused: {refused}.");
        }
        catch (AssociationRejectedException e)
        {
            throw new TesseraException(ErrorKind.Invalid, $"{node.AeTitle} at {node.Host}:{node.Port} rejected the association (reason {e.Reject.Reason}, {e.Reject.Source}): is {Settings.AeTitle} known to it?");
        }
        catch (Exception e) when (e is DicomNetworkException or TimeoutException or IOException or System.Net.Sockets.SocketException)
        {
            throw new TesseraException(ErrorKind.Invalid, $"{node.AeTitle} at {node.Host}:{node.Port} cannot be reached: {e.Message}");
        }
    }

    /// <summary>The request's presentation context (ID 1) must have been accepted, else the node does not serve what is asked.</summary>
    private static async Task RequireAcceptedAsync(DimseClient client, DicomNode node, string what, CancellationToken ct)
    {
        if (client.Association.Contexts.ContainsKey(1))
            return;
        await client.ReleaseAsync(ct);
        throw new TesseraException(ErrorKind.Invalid,
            $"{node.AeTitle} at {node.Host}:{node.Port} accepted the association but not {what}: it does not serve it (a storage-only node?), or not in an uncompressed transfer syntax.");
    }

    /// <summary>How to call a node over TLS (its certificate checked against its host or TLS server name), or null for plain TCP.</summary>
    public static System.Net.Security.SslClientAuthenticationOptions? TlsFor(IServiceProvider services, DicomNode node) =>
        node.Tls ? services.GetRequiredService<DicomTlsCredentials>().ClientOptions(node.TlsServerName ?? node.Host) : null;

    /// <summary>The DICOM instances of a session or scan (a path like subjects/S/sessions/E[/scans/N]) in order.</summary>
    private async Task<IReadOnlyList<RetrieveInstance>> InstancesOfAsync(ProjectAccess access, string target, CancellationToken ct)
    {
        var parts = target.Trim('/').Split('/');
        if (parts is not (["subjects", _, "sessions", _] or ["subjects", _, "sessions", _, "scans", _]))
            throw TesseraException.Invalid($"'{target}' is not a session or scan path (subjects/S/sessions/E or subjects/S/sessions/E/scans/N).");
        var projectId = access.Project.Id;
        var session = await (from su in db.Subjects
                             join se in db.Sessions on su.Id equals se.SubjectId
                             where su.ProjectId == projectId && su.Label == parts[1] && se.Label == parts[3]
                             select (Guid?)se.Id).FirstOrDefaultAsync(ct) ?? throw TesseraException.NotFound($"Session {parts[1]}/{parts[3]}");
        var series = db.DicomSeries.AsNoTracking().Where(s => db.DicomStudies.Any(st => st.Id == s.StudyId && st.SessionId == session));
        if (parts.Length == 6)
        {
            var scan = await db.Scans.Where(s => s.SessionId == session && s.Label == parts[5]).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct)
                ?? throw TesseraException.NotFound($"Scan {parts[5]}");
            series = series.Where(s => s.ScanId == scan);
        }
        var rows = await (from i in db.DicomInstances.AsNoTracking()
                          join s in series on i.SeriesId equals s.Id
                          join f in db.Files on i.FileId equals f.Id
                          orderby s.SeriesNumber, i.InstanceNumber, i.Id
                          select new { i.SopClassUid, i.SopInstanceUid, i.TransferSyntaxUid, f.Sha256 }).ToListAsync(ct);
        return rows.Select(r => new RetrieveInstance(r.SopClassUid, r.SopInstanceUid, r.TransferSyntaxUid, token => blobs.OpenReadAsync(r.Sha256, token))).ToList();
    }

    private static string Model(string model, string studyRoot, string patientRoot) => model.ToLowerInvariant() switch
    {
        "study" => studyRoot,
        "patient" => patientRoot,
        _ => throw TesseraException.Invalid($"model is 'study' or 'patient', not '{model}'."),
    };

    /// <summary>An identifier from keys by keyword or tag (values as DICOM writes them; empty asks for the attribute back).</summary>
    private static DicomDataset Identifier(string level, IReadOnlyDictionary<string, string>? keys)
    {
        var identifier = new DicomDataset();
        identifier.SetString(DicomTags.SpecificCharacterSet, DicomVr.CS, "ISO_IR 192");
        identifier.SetString(DicomTags.QueryRetrieveLevel, DicomVr.CS, level.ToUpperInvariant() is "PATIENT" or "STUDY" or "SERIES" or "IMAGE" ? level.ToUpperInvariant()
            : throw TesseraException.Invalid($"level is PATIENT, STUDY, SERIES or IMAGE, not '{level}'."));
        foreach (var (name, value) in keys ?? new Dictionary<string, string>())
        {
            if (!DicomDictionary.TryGetTag(name, out var tag) && !(name.Length == 8 && DicomTag.TryParse(name, out tag)))
                throw TesseraException.Invalid($"'{name}' is neither a DICOM keyword nor a tag (e.g. PatientName or 00100010).");
            var vr = DicomDictionary.Find(tag)?.Vrs[0] ?? DicomVr.LO;
            if (vr == DicomVr.SQ)
                identifier.Set(new DicomSequence(tag));
            else
                identifier.SetString(tag, vr, value);
        }
        return identifier;
    }

    private static byte[] Encode(DicomDataset dataset, PresentationContext context)
    {
        using var encoded = new MemoryStream();
        DicomWriter.WriteDataset(encoded, dataset, TransferSyntax.Lookup(context.TransferSyntax));
        return encoded.ToArray();
    }
}
