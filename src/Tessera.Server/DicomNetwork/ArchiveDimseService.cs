using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Tessera.Archive;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Dicom;
using Tessera.Archive.Audit;
using Tessera.Archive.Dicom.Nodes;
using Tessera.Archive.Dicom.Query;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;
using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Dicom.Network;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The archive's DIMSE services on one association, in a service scope of its own (so the import's
/// cache of placed series serves the whole association). A C-STORE's dataset is spooled behind a
/// Part 10 header as it arrives, then stored through the DICOM import, the path every other entry
/// point takes; the success status goes out only once the instance is durable. C-FIND, C-MOVE,
/// C-GET and storage commitment answer from the DICOM index with the rights of the association's
/// caller (docs/architecture.md, "DICOM node").
/// </summary>
internal sealed partial class ArchiveDimseService(AsyncServiceScope scope, DicomRoute route, CommitmentReporter reporter, ILogger logger) : DimseService
{
    /// <summary>The most instances one C-MOVE or C-GET sends (a study of a whole-body CT has a few thousand).</summary>
    private const int MaxRetrieveInstances = 100_000;

    private ProjectAccess? _access;
    private IReadOnlyList<StoredInstance> _retrieved = [];

    private IServiceProvider Services => scope.ServiceProvider;

    /// <summary>The association's place among the node's limited ones, given back when it ends.</summary>
    public IDisposable? Slot { get; init; }

    public override async ValueTask<DimseStatus> EchoAsync(CancellationToken ct) =>
        route.Allowed.HasFlag(DicomOperations.Echo) ? DimseStatus.Success : await RefuseAsync("C-ECHO", $"{Association.CallingAeTitle} may not echo (AE table)", route.ProjectSlug);

    public override ValueTask<Stream> OpenStoreAsync(StoreRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var directory = Services.GetRequiredService<IOptions<UploadOptions>>().Value.ResolveImportDirectory(Services.GetRequiredService<IOptions<StorageOptions>>().Value);
        Directory.CreateDirectory(directory);
        var spool = new SpoolStream(Path.Combine(directory, "dimse-" + Guid.NewGuid().ToString("N")));
        try
        {
            DicomWriter.WriteFileHeader(spool, request.SopClassUid, request.SopInstanceUid, TransferSyntax.Lookup(request.Context.TransferSyntax), Association.CallingAeTitle);
        }
        catch
        {
            spool.Discard();
            throw;
        }
        return ValueTask.FromResult<Stream>(spool);
    }

    public override async ValueTask<DimseStatus> StoreAsync(StoreRequest request, Stream received, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spool = (SpoolStream)received;
        try
        {
            ProjectAccess access;
            // A store that answers a C-MOVE this node asked for goes where the move was meant to bring it.
            if (request.MoveOriginatorAeTitle == Association.CalledAeTitle && request.MoveOriginatorMessageId is { } moveId
                && Services.GetRequiredService<MoveExpectations>().Find(Association.CallingAeTitle, moveId) is { } expected)
            {
                access = await Services.GetRequiredService<AccessService>().RequireAsync(expected.Project, expected.Caller, AccessLevel.Write, ct);
            }
            else
            {
                if (!route.Allowed.HasFlag(DicomOperations.Store))
                    return await RefuseAsync("C-STORE", $"{Association.CallingAeTitle} may not store (AE table)", route.ProjectSlug);
                if (route.ProjectSlug is null)
                    return await RefuseAsync("C-STORE", Short($"No project takes this store: {route.Why}"), null);
                access = _access ??= await Services.GetRequiredService<AccessService>().RequireAsync(route.ProjectSlug, route.Caller, AccessLevel.Write, ct);
            }
            var sha256 = await spool.CompleteAsync();
            var item = new ImportItem($"{Association.CallingAeTitle}:{request.SopInstanceUid}", spool.Path, sha256)
                { Declared = (request.SopClassUid, request.SopInstanceUid) };
            var result = (await Services.GetRequiredService<DicomImportService>().StoreInstancesAsync(access, [item], null, ct))[0];
            var status = StatusOf(result);
            if (!status.IsSuccess)
                LogRefused(request.SopInstanceUid, Association.CallingAeTitle, status.ToString(), result.Reason ?? "");
            return status;
        }
        catch (TesseraException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.Forbidden or ErrorKind.Unauthenticated)
        {
            return await RefuseAsync("C-STORE", Short($"Not allowed to store in project {route.ProjectSlug}"), route.ProjectSlug);
        }
        catch (Exception e) when (e is IOException or TesseraException { Kind: ErrorKind.InsufficientStorage })
        {
            LogStoreFailed(e, request.SopInstanceUid, Association.CallingAeTitle);
            return DimseStatus.OutOfResources(Short(e.Message));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStoreFailed(e, request.SopInstanceUid, Association.CallingAeTitle);
            return DimseStatus.ProcessingFailure("The instance could not be stored; see the server's log");
        }
        finally
        {
            spool.Discard();
        }
    }

    public override async ValueTask<FindAnswer> FindAsync(FindRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!route.Allowed.HasFlag(DicomOperations.Find))
            return FindAnswer.Refused(await RefuseAsync("C-FIND", $"{Association.CallingAeTitle} may not query (AE table)", route.ProjectSlug));
        FindQuery find;
        DicomQueryResult first;
        try
        {
            find = FindQuery.From(request);
            first = await Services.GetRequiredService<DicomQueryService>().FindAsync(route.Reader, find.Query, ct);
        }
        catch (TesseraException e) when (e.Kind == ErrorKind.Invalid)
        {
            return FindAnswer.Refused(DimseStatus.IdentifierDoesNotMatchSopClass(Short(e.Message)));
        }
        return new FindAnswer(null, MatchesAsync(find, first, ct), first.IgnoredKeys.Count > 0);
    }

    /// <summary>
    /// Every match, page after page of the index; patients are gathered from all their studies first.
    /// The query is audited once it ends (or is cancelled), an entry per project it matched in.
    /// </summary>
    private async IAsyncEnumerable<DicomDataset> MatchesAsync(FindQuery find, DicomQueryResult first, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var queries = Services.GetRequiredService<DicomQueryService>();
        var retrieveAe = Association.CalledAeTitle;
        var studies = new List<DicomDataset>();
        var matched = new Dictionary<string, int>(StringComparer.Ordinal);
        var page = first;
        var offset = 0;
        try
        {
            while (true)
            {
                foreach (var match in page.Matches)
                {
                    matched[match.Project] = matched.GetValueOrDefault(match.Project) + 1;
                    if (find.IsPatientLevel)
                        studies.Add(match.Dataset);
                    else
                        yield return find.Shape(match.Dataset, retrieveAe);
                }
                if (page.Matches.Count < find.Query.Limit)
                    break;
                offset += page.Matches.Count;
                page = await queries.FindAsync(route.Reader, find.Query with { Offset = offset }, ct);
            }
            foreach (var patient in FindQuery.Patients(studies))
                yield return find.Shape(patient, retrieveAe);
        }
        finally
        {
            var level = find.Query.Level.ToString().ToUpperInvariant();
            if (matched.Count == 0)
                await AuditAsync("DICOM C-FIND", null, $"{level} level, nothing matched", 200);
            foreach (var (project, count) in matched)
                await AuditAsync("DICOM C-FIND", project, $"{level} level, {count} match(es)", 200);
        }
    }

    public override async ValueTask<RetrieveAnswer> RetrieveAsync(RetrieveRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (operation, name) = request.MoveDestination is null ? (DicomOperations.Get, "retrieve by C-GET") : (DicomOperations.Move, "move");
        var command = request.MoveDestination is null ? "C-GET" : "C-MOVE";
        if (!route.Allowed.HasFlag(operation))
            return RetrieveAnswer.Refused(await RefuseAsync(command, $"{Association.CallingAeTitle} may not {name} (AE table)", route.ProjectSlug));
        if (request.MoveDestination is { } destination && await MoveDestinationRefusalAsync(destination, ct) is { } refusal)
            return RetrieveAnswer.Refused(refusal);
        IReadOnlyList<StoredInstance> instances;
        try
        {
            var find = FindQuery.From(request.SopClassUid, request.Identifier);
            instances = await Services.GetRequiredService<DicomQueryService>().MatchingInstancesAsync(route.Reader, find.Query, MaxRetrieveInstances, ct);
        }
        catch (TesseraException e) when (e.Kind == ErrorKind.Invalid)
        {
            return RetrieveAnswer.Refused(DimseStatus.IdentifierDoesNotMatchSopClass(Short(e.Message)));
        }
        _retrieved = instances;
        var blobs = Services.GetRequiredService<IBlobStore>();
        return new RetrieveAnswer(null, instances.Select(i => new RetrieveInstance(i.SopClassUid, i.SopInstanceUid, i.TransferSyntaxUid,
            token => blobs.OpenReadAsync(i.FileKey, token))).ToList());
    }

    /// <summary>
    /// Why a C-MOVE may not send to this destination, or null when it may: a caller may always move to itself (its row
    /// allows move); any other destination's row must allow store (what Tessera sends to a node) and name the same
    /// project as the caller's, or none.
    /// </summary>
    private async ValueTask<DimseStatus?> MoveDestinationRefusalAsync(string destination, CancellationToken ct)
    {
        if (destination == Association.CallingAeTitle)
            return null;
        var node = await Services.GetRequiredService<DicomNodeService>().FindAsync(destination, ct);
        if (node is null)
        {
            await AuditAsync("DICOM C-MOVE refused", route.ProjectSlug, $"{destination} is not in the AE table", 404);
            return DimseStatus.MoveDestinationUnknown(Short($"{destination} is not in the AE table"));
        }
        if (!node.Allow.HasFlag(DicomOperations.Store))
            return await RefuseAsync("C-MOVE", Short($"{destination} takes no stores from this node (AE table)"), route.ProjectSlug);
        if (node.ProjectId is { } projectId)
        {
            var slug = await Services.GetRequiredService<ArchiveDbContext>().Projects
                .Where(p => p.Id == projectId).Select(p => p.Slug).FirstOrDefaultAsync(ct);
            if (slug != route.ProjectSlug)
                return await RefuseAsync("C-MOVE", Short($"{destination} is another project's node (AE table)"), route.ProjectSlug);
        }
        return null;
    }

    public override async ValueTask<MoveDestination?> FindMoveDestinationAsync(string aeTitle, CancellationToken ct) =>
        await Services.GetRequiredService<DicomNodeService>().FindAsync(aeTitle, ct) is { } node
            ? new MoveDestination(node.AeTitle, node.Host, node.Port) { Tls = DicomScuService.TlsFor(Services, node) }
            : null;

    /// <summary>A retrieval from a private project is a data read: the audit trail records it, once per project.</summary>
    public override async ValueTask RetrievedAsync(RetrieveRequest request, SubOperationCounts counts)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(counts);
        var action = request.MoveDestination is null ? "DICOM C-GET" : "DICOM C-MOVE";
        var target = $"{counts.Completed + counts.Warning} instance(s) sent, {counts.Failed} failed, to {request.MoveDestination ?? Association.CallingAeTitle}";
        foreach (var project in _retrieved.Where(i => !i.ProjectIsPublic).Select(i => i.Project).Distinct(StringComparer.Ordinal))
            await AuditAsync(action, project, target, 200);
    }

    /// <summary>A refused operation: audited, and answered "not authorized" with the reason.</summary>
    private async ValueTask<DimseStatus> RefuseAsync(string operation, string reason, string? project)
    {
        await AuditAsync($"DICOM {operation} refused", project, reason, 403);
        return DimseStatus.NotAuthorized(reason);
    }

    private ValueTask AuditAsync(string action, string? project, string target, int status) =>
        Services.GetRequiredService<AuditWriter>().RecordAsync(new AuditEntry
        {
            At = Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, Username = route.Caller.Username, Action = $"{action} by {Association.CallingAeTitle}",
            Project = project, Target = target, Status = status, ClientAddress = route.Peer,
        }, CancellationToken.None);

    /// <summary>Commits what is indexed (so durably stored) with the same SOP class in a project the caller may read.</summary>
    public override async ValueTask<CommitmentResult?> CommitAsync(CommitmentRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!route.Allowed.HasFlag(DicomOperations.Store))
        {
            await AuditAsync("DICOM storage commitment refused", route.ProjectSlug, $"{Association.CallingAeTitle} may not store (AE table)", 403);
            return new CommitmentResult([], request.Items.Select(i => (i, StorageCommitment.ProcessingFailure)).ToList());
        }
        var stored = await Services.GetRequiredService<DicomQueryService>().StoredClassesAsync(route.Caller, request.Items.Select(i => i.SopInstanceUid).ToList(), ct);
        var committed = new List<CommitmentItem>();
        var failed = new List<(CommitmentItem, ushort)>();
        foreach (var item in request.Items)
        {
            if (!stored.TryGetValue(item.SopInstanceUid, out var sopClass))
                failed.Add((item, StorageCommitment.NoSuchObjectInstance));
            else if (sopClass != item.SopClassUid)
                failed.Add((item, StorageCommitment.ClassInstanceConflict));
            else
                committed.Add(item);
        }
        LogCommitment(request.TransactionUid, Association.CallingAeTitle, committed.Count, failed.Count);
        return new CommitmentResult(committed, failed);
    }

    public override void ReportLater(string aeTitle, string ownAeTitle, ushort eventType, DicomDataset eventInformation) =>
        reporter.Enqueue(aeTitle, ownAeTitle, eventType, eventInformation);

    public override ValueTask AbandonStoreAsync(StoreRequest request, Stream received)
    {
        ((SpoolStream)received).Discard();
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        Slot?.Dispose();
        await scope.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>The C-STORE status for what the import did (PS3.4 B.2.3).</summary>
    private static DimseStatus StatusOf(ImportedFile result) => result.Outcome switch
    {
        ImportOutcome.Stored or ImportOutcome.Duplicate or ImportOutcome.NewVersion => DimseStatus.Success,
        _ => result.Problem switch
        {
            ImportProblem.NotDicom or ImportProblem.Unreadable => DimseStatus.CannotUnderstand(Short(result.Reason)),
            ImportProblem.MissingAttribute or ImportProblem.DoesNotMatchRequest => DimseStatus.DataSetDoesNotMatchSopClass(Short(result.Reason)),
            ImportProblem.DifferentContent => DimseStatus.DuplicateSopInstance(Short(result.Reason)),
            _ => DimseStatus.ProcessingFailure(Short(result.Reason)),
        },
    };

    /// <summary>An error comment is LO: 64 characters.</summary>
    private static string Short(string? text) => text is null ? "" : text.Length > 64 ? text[..61] + "..." : text;

    [LoggerMessage(EventId = 1313, Level = LogLevel.Information, Message = "DICOM: storage commitment {TransactionUid} from {CallingAeTitle}: {Committed} committed, {Failed} failed")]
    private partial void LogCommitment(string transactionUid, string callingAeTitle, int committed, int failed);

    [LoggerMessage(EventId = 1311, Level = LogLevel.Warning, Message = "DICOM: C-STORE of {SopInstanceUid} from {CallingAeTitle} refused with {Status}: {Reason}")]
    private partial void LogRefused(string sopInstanceUid, string callingAeTitle, string status, string reason);

    [LoggerMessage(EventId = 1312, Level = LogLevel.Error, Message = "DICOM: C-STORE of {SopInstanceUid} from {CallingAeTitle} failed")]
    private partial void LogStoreFailed(Exception e, string sopInstanceUid, string callingAeTitle);
}
