using System.Net.Security;

namespace Tessera.Dicom.Network;

/// <summary>One instance whose storage is to be committed: its SOP class and instance UIDs.</summary>
public sealed record CommitmentItem(string SopClassUid, string SopInstanceUid);

/// <summary>A storage commitment request (N-ACTION, action type 1): its transaction and the instances it names.</summary>
public sealed record CommitmentRequest(string TransactionUid, IReadOnlyList<CommitmentItem> Items);

/// <summary>What a storage commitment commits, and what it does not with the failure reason (PS3.4 J.3.3.1.1).</summary>
public sealed record CommitmentResult(IReadOnlyList<CommitmentItem> Committed, IReadOnlyList<(CommitmentItem Item, ushort Reason)> Failed)
{
    /// <summary>Event type 1: every instance committed; 2: failures exist.</summary>
    public ushort EventType => Failed.Count == 0 ? (ushort)1 : (ushort)2;
}

/// <summary>The Storage Commitment Push Model (PS3.4 annex J): its datasets and the report sent on an association of its own.</summary>
public static class StorageCommitment
{
    /// <summary>The only action of the model: request storage commitment.</summary>
    public const ushort RequestAction = 1;

    public const ushort ProcessingFailure = 0x0110;
    public const ushort NoSuchObjectInstance = 0x0112;
    public const ushort ClassInstanceConflict = 0x0119;

    /// <summary>Reads an N-ACTION's action information; a request without its transaction or items is a <see cref="DicomException"/>.</summary>
    public static CommitmentRequest ReadRequest(DicomDataset actionInformation)
    {
        ArgumentNullException.ThrowIfNull(actionInformation);
        var transaction = actionInformation.GetString(DicomTags.TransactionUid);
        if (string.IsNullOrEmpty(transaction))
            throw new DicomException("the storage commitment request has no Transaction UID");
        var items = actionInformation.GetSequence(DicomTags.ReferencedSopSequence)?.Items
            .Select(i => new CommitmentItem(i.GetString(DicomTags.ReferencedSopClassUid) ?? "", i.GetString(DicomTags.ReferencedSopInstanceUid) ?? ""))
            .ToList() ?? [];
        if (items.Count == 0)
            throw new DicomException("the storage commitment request names no instance (Referenced SOP Sequence)");
        return new CommitmentRequest(transaction, items);
    }

    /// <summary>The action information of a request (for the SCU side).</summary>
    public static DicomDataset ActionInformation(CommitmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.TransactionUid, DicomVr.UI, request.TransactionUid);
        dataset.Set(new DicomSequence(DicomTags.ReferencedSopSequence, request.Items.Select(Referenced)));
        return dataset;
    }

    /// <summary>The event information of the report: the transaction, what was committed and what failed with why.</summary>
    public static DicomDataset EventInformation(CommitmentRequest request, CommitmentResult result)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.TransactionUid, DicomVr.UI, request.TransactionUid);
        if (result.Failed.Count > 0)
        {
            dataset.Set(new DicomSequence(DicomTags.FailedSopSequence, result.Failed.Select(f =>
            {
                var item = Referenced(f.Item);
                item.SetUInt16(DicomTags.FailureReason, f.Reason);
                return item;
            })));
        }
        if (result.Committed.Count > 0)
            dataset.Set(new DicomSequence(DicomTags.ReferencedSopSequence, result.Committed.Select(Referenced)));
        return dataset;
    }

    /// <summary>The N-EVENT-REPORT request of a storage commitment report.</summary>
    public static DicomDataset ReportCommand(ushort eventType)
    {
        var command = DimseCommand.Request(DimseCommand.NEventReportRequest, DimseSopClasses.StorageCommitmentPushModel, DimseSopClasses.StorageCommitmentPushModelInstance);
        command.SetUInt16(DicomTags.EventTypeId, eventType);
        return command;
    }

    /// <summary>
    /// Sends a report on a new association to the requesting AE (PS3.4 J.3.3): this side is the
    /// association requestor but the SCP of the model, so it proposes the SCP role. The report's status is returned.
    /// </summary>
    /// <param name="tls">TLS for the association, as <see cref="DimseClient.ConnectAsync(string, int, AssociateRequest, SslClientAuthenticationOptions?, TimeSpan, CancellationToken)"/> takes it; null: plain TCP.</param>
    public static async Task<DimseStatus> SendReportAsync(string host, int port, string callingAeTitle, string calledAeTitle, ushort eventType,
        DicomDataset eventInformation, SslClientAuthenticationOptions? tls, TimeSpan timeout, CancellationToken ct)
    {
        var request = new AssociateRequest(calledAeTitle, callingAeTitle,
            [new PresentationContextProposal(1, DimseSopClasses.StorageCommitmentPushModel, [TransferSyntax.ExplicitVrLittleEndian.Uid, TransferSyntax.ImplicitVrLittleEndian.Uid])],
            new UserInformation { MaxPduLength = 1 << 20, RoleSelections = [new RoleSelection(DimseSopClasses.StorageCommitmentPushModel, ScuRole: false, ScpRole: true)] });
        await using var client = await DimseClient.ConnectAsync(host, port, request, tls, timeout, ct);
        var context = client.Association.FindContext(DimseSopClasses.StorageCommitmentPushModel)
            ?? throw new DicomNetworkException($"{calledAeTitle} did not accept the storage commitment context for its report.");
        using var encoded = new MemoryStream();
        IO.DicomWriter.WriteDataset(encoded, eventInformation, TransferSyntax.Lookup(context.TransferSyntax));
        var response = (await client.RequestAsync(context.Id, ReportCommand(eventType), encoded.ToArray(), ct))[^1];
        await client.ReleaseAsync(ct);
        return new DimseStatus(response.Status, response.Command.GetString(DicomTags.ErrorComment));
    }

    private static DicomDataset Referenced(CommitmentItem item)
    {
        var dataset = new DicomDataset();
        dataset.SetString(DicomTags.ReferencedSopClassUid, DicomVr.UI, item.SopClassUid);
        dataset.SetString(DicomTags.ReferencedSopInstanceUid, DicomVr.UI, item.SopInstanceUid);
        return dataset;
    }
}
