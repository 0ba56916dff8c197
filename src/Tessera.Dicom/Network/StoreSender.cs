using Tessera.Dicom.IO;

namespace Tessera.Dicom.Network;

/// <summary>
/// Sends stored instances by C-STORE: to a destination's own association (a send, a C-MOVE) or back
/// on the requestor's (a C-GET). An instance goes in its stored transfer syntax when the receiver
/// accepted it; an uncompressed one is re-encoded into another uncompressed syntax when that is all
/// the receiver takes; a compressed one the receiver does not take fails, saying so (nothing is decoded).
/// </summary>
public static class StoreSender
{
    /// <summary>Where the stored dataset starts: every element after the meta information (group 0002).</summary>
    private static readonly DicomReadOptions MetaOnly = new() { StopBefore = new DicomTag(0x00030000u) };

    /// <summary>A proposal with one context per SOP class and stored syntax, uncompressed ones offered beside an uncompressed syntax.</summary>
    public static AssociateRequest Proposal(string calledAeTitle, string callingAeTitle, IEnumerable<RetrieveInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var contexts = new List<PresentationContextProposal>();
        foreach (var (sopClass, syntax) in instances.Select(i => (i.SopClassUid, i.TransferSyntaxUid)).Distinct().Take(128))
        {
            var syntaxes = TransferSyntax.Lookup(syntax).Encapsulated
                ? [syntax]
                : new[] { syntax, TransferSyntax.ExplicitVrLittleEndian.Uid, TransferSyntax.ImplicitVrLittleEndian.Uid }.Distinct().ToList();
            contexts.Add(new PresentationContextProposal((byte)(contexts.Count * 2 + 1), sopClass, syntaxes));
        }
        return new AssociateRequest(calledAeTitle, callingAeTitle, contexts, new UserInformation { MaxPduLength = 1 << 20 });
    }

    /// <summary>Sends one instance on a requestor's association; its C-STORE status.</summary>
    public static Task<DimseStatus> SendAsync(DimseClient client, RetrieveInstance instance, Action<DicomDataset>? decorate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        return SendAsync(client.Association, requireScpRole: false, instance, decorate,
            async (context, command, dataset, token) => (await client.RequestAsync(context.Id, command, dataset, token))[^1], ct);
    }

    /// <summary>
    /// Sends one instance through <paramref name="request"/>; its C-STORE status, or a failure status saying
    /// why it could not be sent (unreadable file, no context the receiver accepted).
    /// </summary>
    /// <param name="requireScpRole">On an acceptor's association (C-GET): only where the requestor took the storage SCP role.</param>
    public static async Task<DimseStatus> SendAsync(Association target, bool requireScpRole, RetrieveInstance instance, Action<DicomDataset>? decorate,
        Func<PresentationContext, DicomDataset, Stream, CancellationToken, Task<DimseMessage>> request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(request);
        Stream file;
        try
        {
            file = await instance.OpenAsync(ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return DimseStatus.ProcessingFailure(Short($"The stored file cannot be read: {e.Message}"));
        }
        await using (file)
        {
            var (context, converted) = ContextFor(target, instance, requireScpRole);
            if (context is null)
            {
                return DimseStatus.SopClassNotSupported(Short(TransferSyntax.Lookup(instance.TransferSyntaxUid).Encapsulated
                    ? $"The receiver does not take {TransferSyntax.Lookup(instance.TransferSyntaxUid).Name}, and it is not decoded here"
                    : $"The receiver took no context for {instance.SopClassUid}"));
            }
            Stream dataset;
            try
            {
                dataset = converted ? await ReencodeAsync(file, context, ct) : DatasetOf(file);
            }
            catch (DicomException e)
            {
                return DimseStatus.ProcessingFailure(Short($"The stored file cannot be read: {e.Message}"));
            }
            await using (dataset)
            {
                var command = DimseCommand.Request(DimseCommand.CStoreRequest, instance.SopClassUid, instance.SopInstanceUid);
                decorate?.Invoke(command);
                var response = await request(context, command, dataset, ct);
                return new DimseStatus(response.Status, response.Command.GetString(DicomTags.ErrorComment));
            }
        }
    }

    /// <summary>The context to send an instance on: its stored syntax if accepted, else an uncompressed one for an uncompressed instance (re-encoded).</summary>
    private static (PresentationContext? Context, bool Converted) ContextFor(Association target, RetrieveInstance instance, bool requireScpRole)
    {
        if (requireScpRole && !target.Accept.UserInformation.RoleSelections.Any(r => r.SopClass == instance.SopClassUid && r.ScpRole))
            return (null, false);
        var contexts = target.Contexts.Values.Where(c => c.AbstractSyntax == instance.SopClassUid).OrderBy(c => c.Id).ToList();
        if (contexts.FirstOrDefault(c => c.TransferSyntax == instance.TransferSyntaxUid) is { } exact)
            return (exact, false);
        if (TransferSyntax.Lookup(instance.TransferSyntaxUid).Encapsulated)
            return (null, false);
        return (contexts.FirstOrDefault(c => !TransferSyntax.Lookup(c.TransferSyntax).Encapsulated), true);
    }

    /// <summary>The stored file positioned at its dataset, which goes as it is.</summary>
    private static Stream DatasetOf(Stream file)
    {
        var head = DicomReader.Read(file, MetaOnly);
        file.Position = head.DatasetOffset;
        return file; // disposed twice by the caller, which FileStream takes

    }

    /// <summary>The dataset re-encoded in the context's (uncompressed) syntax, through a temporary file so that memory stays flat.</summary>
    private static async Task<Stream> ReencodeAsync(Stream file, PresentationContext context, CancellationToken ct)
    {
        var read = DicomReader.Read(file, new DicomReadOptions { BulkDataThreshold = 64 * 1024 });
        var temporary = new FileStream(Path.Combine(Path.GetTempPath(), "tessera-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite,
            FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        try
        {
            DicomWriter.WriteDataset(temporary, read.Dataset, TransferSyntax.Lookup(context.TransferSyntax));
            await temporary.FlushAsync(ct);
            temporary.Position = 0;
            return temporary;
        }
        catch
        {
            await temporary.DisposeAsync();
            throw;
        }
    }

    private static string Short(string text) => text.Length > 64 ? text[..61] + "..." : text;
}
