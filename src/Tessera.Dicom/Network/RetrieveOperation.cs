using Tessera.Dicom.IO;

namespace Tessera.Dicom.Network;

/// <summary>
/// The sub-operations of one C-MOVE or C-GET (PS3.4 C.4.2, C.4.3): each instance sent by C-STORE —
/// to the move destination on an association of its own, or back on this association for a C-GET —
/// with a pending response and its counts after each, until all are done or a C-CANCEL stops them.
/// Instances go as <see cref="StoreSender"/> sends them; those that fail are listed in the final response.
/// </summary>
internal sealed class RetrieveOperation(Association association, DimseService service, DimseMessage message, TimeSpan timeout, Action beforeFinalResponse)
{
    private bool IsMove => message.CommandField == DimseCommand.CMoveRequest;

    /// <summary>Performs the retrieval and sends its final response; <paramref name="cancel"/> is a C-CANCEL, <paramref name="ct"/> the association's end.</summary>
    public async Task RunAsync(CancellationToken cancel, CancellationToken ct)
    {
        if (await StartAsync(cancel, ct) is { } refusal)
            await RespondAsync(refusal, new SubOperationCounts(0, 0, 0, 0), null, ct);
    }

    /// <summary>Sends the sub-operations and the final response; a refusal is returned instead, for the caller to send.</summary>
    private async Task<DimseStatus?> StartAsync(CancellationToken cancel, CancellationToken ct)
    {
        DicomDataset identifier;
        try
        {
            identifier = message.ReadDataSet() ?? throw new DicomException("the request has no identifier");
        }
        catch (DicomException e)
        {
            return DimseStatus.UnableToProcess($"The identifier cannot be read: {e.Message}");
        }
        var destination = IsMove ? message.Command.GetString(DicomTags.MoveDestination)?.Trim() : null;
        if (IsMove && string.IsNullOrEmpty(destination))
            return DimseStatus.MoveDestinationUnknown("The C-MOVE request names no move destination");
        var request = new RetrieveRequest(message.Context, message.MessageId, message.Context.AbstractSyntax, identifier, destination);
        var answer = await service.RetrieveAsync(request, ct);
        if (answer.Refusal is { } refusal)
            return refusal;
        var instances = answer.Instances;
        DimseClient? client = null;
        if (IsMove && instances.Count > 0)
        {
            if (await service.FindMoveDestinationAsync(destination!, ct) is not { } where)
                return DimseStatus.MoveDestinationUnknown(Short($"{destination} is not in the AE table"));
            try
            {
                client = await DimseClient.ConnectAsync(where.Host, where.Port, StoreSender.Proposal(where.AeTitle, association.CalledAeTitle, instances), where.Tls, timeout, ct);
            }
            catch (Exception e) when (e is DicomNetworkException or IOException or System.Net.Sockets.SocketException or TimeoutException)
            {
                return DimseStatus.UnableToPerformSubOperations(Short($"{destination} cannot be reached: {e.Message}"));
            }
        }
        try
        {
            await SendAllAsync(request, instances, client, cancel, ct);
            return null;
        }
        finally
        {
            if (client is not null)
            {
                try
                {
                    await client.ReleaseAsync(ct);
                }
                catch (Exception e) when (e is DicomNetworkException or IOException or TimeoutException)
                {
                    // The instances were answered for; a destination that does not release cleanly changes nothing.
                }
                await client.DisposeAsync();
            }
        }
    }

    private async Task SendAllAsync(RetrieveRequest request, IReadOnlyList<RetrieveInstance> instances, DimseClient? client, CancellationToken cancel, CancellationToken ct)
    {
        var (completed, failed, warning) = (0, 0, 0);
        var failures = new List<string>();
        var cancelled = false;
        for (var i = 0; i < instances.Count; i++)
        {
            if (cancel.IsCancellationRequested)
            {
                cancelled = true;
                failures.AddRange(instances.Skip(i).Select(x => x.SopInstanceUid));
                break;
            }
            var status = await SendOneAsync(instances[i], client, ct);
            if (status.IsSuccess)
                completed++;
            else if (status.IsWarning)
                warning++;
            else
            {
                failed++;
                failures.Add(instances[i].SopInstanceUid);
            }
            if (i + 1 < instances.Count)
                await RespondAsync(DimseStatus.Pending, new SubOperationCounts(instances.Count - i - 1, completed, failed, warning), null, ct);
        }
        var counts = new SubOperationCounts(cancelled ? instances.Count - completed - failed - warning : 0, completed, failed, warning);
        var final = cancelled ? DimseStatus.Cancel
            : failed > 0 && completed + warning == 0 ? DimseStatus.UnableToPerformSubOperations($"None of the {failed} instance(s) could be sent")
            : failed + warning > 0 ? DimseStatus.SubOperationsCompleteWithFailures
            : DimseStatus.Success;
        await service.RetrievedAsync(request, counts);
        await RespondAsync(final, counts, failures, ct);
    }

    /// <summary>One C-STORE sub-operation; its status (a failure when it could not be sent at all).</summary>
    private Task<DimseStatus> SendOneAsync(RetrieveInstance instance, DimseClient? client, CancellationToken ct)
    {
        Action<DicomDataset>? originator = IsMove
            ? command =>
            {
                command.SetString(DicomTags.MoveOriginatorApplicationEntityTitle, DicomVr.AE, association.CallingAeTitle);
                command.SetUInt16(DicomTags.MoveOriginatorMessageId, message.MessageId);
            }
            : null;
        return client is not null
            ? StoreSender.SendAsync(client, instance, originator, ct)
            : StoreSender.SendAsync(association, requireScpRole: true, instance, originator,
                (context, command, dataset, token) => association.RequestAsync(context.Id, command, dataset, token), ct);
    }

    private async Task RespondAsync(DimseStatus status, SubOperationCounts counts, List<string>? failures, CancellationToken ct)
    {
        var response = DimseCommand.Response(message.Command, status.Code, status.Comment);
        counts.WriteTo(response, final: !status.IsPending && status.Code != DimseStatus.Cancel.Code);
        if (!status.IsPending)
            beforeFinalResponse();
        if (failures is not { Count: > 0 })
        {
            await association.SendAsync(message.Context.Id, response, ct);
            return;
        }
        var list = new DicomDataset();
        list.SetString(DicomTags.FailedSopInstanceUidList, DicomVr.UI, string.Join('\\', failures));
        using var encoded = new MemoryStream();
        DicomWriter.WriteDataset(encoded, list, TransferSyntax.Lookup(message.Context.TransferSyntax));
        await association.SendAsync(message.Context.Id, response, encoded.GetBuffer().AsMemory(0, (int)encoded.Length), ct);
    }

    private static string Short(string text) => text.Length > 64 ? text[..61] + "..." : text;
}
