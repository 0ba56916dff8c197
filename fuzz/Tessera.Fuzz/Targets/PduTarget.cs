using Tessera.Dicom;
using Tessera.Dicom.Network;

namespace Tessera.Fuzz.Targets;

/// <summary>
/// What a DICOM peer sends: a run of PDUs read by <see cref="PduReader"/> (associate, data, release, abort), the
/// command sets of P-DATA decoded, and each PDU encoded again as an answer would be.
/// </summary>
public sealed class PduTarget : FuzzTarget
{
    /// <summary>The P-DATA limit the acceptor announces by default (PS3.8 D.1): small keeps the reader's buffer small.</summary>
    private const uint MaxDataPduLength = 64 << 10;

    public override string Name => "pdu";

    public override string Description => "PduReader.ReadAsync over a connection's bytes, DimseCommand.Decode of command PDVs, PduWriter.Encode of what was read";

    public override void Run(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        var reader = new PduReader(stream, MaxDataPduLength);
        // The reader's ReadAsync completes synchronously over a MemoryStream: no thread pool work per input.
        while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } pdu)
        {
            if (pdu is DataTransfer data)
            {
                foreach (var pdv in data.Values.Where(v => v.IsCommand && v.IsLast))
                    DimseCommand.Decode(pdv.Data);
            }
            PduWriter.Encode(pdu);
        }
    }

    public override bool IsRefusal(Exception exception) => exception is DicomNetworkException or DicomException;

    public override IEnumerable<Seed> Seeds(SeedCorpus corpus)
    {
        var request = new AssociateRequest("TESSERA", "STORESCU",
            [
                new PresentationContextProposal(1, "1.2.840.10008.1.1", ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"]),
                new PresentationContextProposal(3, "1.2.840.10008.5.1.4.1.1.7", ["1.2.840.10008.1.2.4.50"]),
            ],
            new UserInformation
            {
                MaxPduLength = 16384,
                ImplementationClassUid = PduWriter.ImplementationClassUid,
                ImplementationVersionName = PduWriter.ImplementationVersionName,
                AsynchronousOperations = (1, 1),
                RoleSelections = [new RoleSelection("1.2.840.10008.5.1.4.1.1.7", true, true)],
                ExtendedNegotiations = [new ExtendedNegotiation("1.2.840.10008.5.1.4.1.2.2.2", new byte[] { 1 })],
                UserIdentity = new UserIdentity(UserIdentityType.UsernameAndPasscode, true, "alice"u8.ToArray(), "secret"u8.ToArray()),
            });
        var accept = new AssociateAccept("TESSERA", "STORESCU",
            [new PresentationContextAnswer(1, PresentationContextResult.Acceptance, "1.2.840.10008.1.2"), new PresentationContextAnswer(3, PresentationContextResult.AbstractSyntaxNotSupported, "")],
            new UserInformation { MaxPduLength = 16384, ImplementationClassUid = PduWriter.ImplementationClassUid, UserIdentityResponse = "ok"u8.ToArray() });
        var echo = DimseCommand.Encode(DimseCommand.Request(DimseCommand.CEchoRequest, "1.2.840.10008.1.1"));
        var command = new DataTransfer([new Pdv(1, true, true, echo)]);
        var dataset = new DataTransfer([new Pdv(3, false, false, new byte[] { 0x08, 0x00, 0x16, 0x00, 0x02, 0, 0, 0, (byte)'1', 0 }), new Pdv(3, false, true, new byte[] { 0, 0 })]);
        var reject = new AssociateReject(RejectResult.Permanent, RejectSource.ServiceUser, AssociateReject.CallingAeNotRecognized);
        var abort = new Abort(AbortSource.ServiceProvider, AbortReason.UnexpectedPdu);

        yield return new Seed("associate-rq", PduWriter.Encode(request));
        yield return new Seed("associate-ac", PduWriter.Encode(accept));
        yield return new Seed("associate-rj", PduWriter.Encode(reject));
        yield return new Seed("p-data-echo", PduWriter.Encode(command));
        yield return new Seed("p-data-dataset", PduWriter.Encode(dataset));
        yield return new Seed("release-rq", PduWriter.Encode(ReleaseRequest.Instance));
        yield return new Seed("abort", PduWriter.Encode(abort));
        // A whole association as a peer sends it, so mutations reach the later PDUs with the reader's state.
        yield return new Seed("association", [.. PduWriter.Encode(request), .. PduWriter.Encode(command), .. PduWriter.Encode(ReleaseRequest.Instance)]);
    }
}
