using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Tessera.Dicom.Network;

/// <summary>Encodes PDUs (PS3.8 section 9.3), refusing values the encoding cannot carry.</summary>
public static class PduWriter
{
    /// <summary>The implementation class UID Tessera announces: the toolkit's, as its files carry it.</summary>
    public const string ImplementationClassUid = IO.DicomWriter.ImplementationClassUid;

    public const string ImplementationVersionName = IO.DicomWriter.ImplementationVersionName;

    public static async ValueTask WriteAsync(Stream stream, Pdu pdu, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(Encode(pdu), ct);
    }

    /// <summary>The whole PDU, header included.</summary>
    public static byte[] Encode(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var body = new ArrayBufferWriter<byte>(256);
        switch (pdu)
        {
            case AssociateRequest request:
                WriteAssociate(body, request.CalledAeTitle, request.CallingAeTitle, request.ApplicationContextName);
                foreach (var context in request.PresentationContexts)
                {
                    var item = Item(body, 0x20);
                    Put(body, context.Id, 0, 0, 0);
                    Uid(body, 0x30, context.AbstractSyntax);
                    foreach (var syntax in context.TransferSyntaxes)
                        Uid(body, 0x40, syntax);
                    item.End(body);
                }
                WriteUserInformation(body, request.UserInformation, request: true);
                break;
            case AssociateAccept accept:
                WriteAssociate(body, accept.CalledAeTitle, accept.CallingAeTitle, accept.ApplicationContextName);
                foreach (var context in accept.PresentationContexts)
                {
                    var item = Item(body, 0x21);
                    Put(body, context.Id, 0, (byte)context.Result, 0);
                    // A rejected context still carries a transfer syntax sub-item; its value is not significant.
                    Uid(body, 0x40, context.TransferSyntax);
                    item.End(body);
                }
                WriteUserInformation(body, accept.UserInformation, request: false);
                break;
            case AssociateReject reject:
                Put(body, 0, (byte)reject.Result, (byte)reject.Source, reject.Reason);
                break;
            case DataTransfer data:
                foreach (var value in data.Values)
                {
                    var header = body.GetSpan(6);
                    BinaryPrimitives.WriteUInt32BigEndian(header, checked((uint)value.Data.Length + 2));
                    header[4] = value.PresentationContextId;
                    header[5] = (byte)((value.IsCommand ? 1 : 0) | (value.IsLast ? 2 : 0));
                    body.Advance(6);
                    body.Write(value.Data.Span);
                }
                break;
            case ReleaseRequest or ReleaseResponse:
                Put(body, 0, 0, 0, 0);
                break;
            case Abort abort:
                Put(body, 0, 0, (byte)abort.Source, (byte)abort.Reason);
                break;
            default:
                throw new ArgumentException($"No encoding for {pdu.GetType().Name}.", nameof(pdu));
        }
        var encoded = new byte[6 + body.WrittenCount];
        encoded[0] = pdu.Type;
        BinaryPrimitives.WriteUInt32BigEndian(encoded.AsSpan(2), (uint)body.WrittenCount);
        body.WrittenSpan.CopyTo(encoded.AsSpan(6));
        return encoded;
    }

    private static void WriteAssociate(ArrayBufferWriter<byte> body, string called, string calling, string applicationContext)
    {
        var fixedPart = body.GetSpan(68)[..68];
        fixedPart.Clear();
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart, 1); // protocol version 1
        AeTitle(called).CopyTo(fixedPart[4..]);
        AeTitle(calling).CopyTo(fixedPart[20..]);
        body.Advance(68);
        Uid(body, 0x10, applicationContext);
    }

    private static void WriteUserInformation(ArrayBufferWriter<byte> body, UserInformation info, bool request)
    {
        var item = Item(body, 0x50);
        var max = Item(body, 0x51);
        BinaryPrimitives.WriteUInt32BigEndian(body.GetSpan(4), info.MaxPduLength);
        body.Advance(4);
        max.End(body);
        Uid(body, 0x52, string.IsNullOrEmpty(info.ImplementationClassUid) ? ImplementationClassUid : info.ImplementationClassUid);
        if (info.AsynchronousOperations is { } window)
        {
            var sub = Item(body, 0x53);
            BinaryPrimitives.WriteUInt16BigEndian(body.GetSpan(4), window.Invoked);
            BinaryPrimitives.WriteUInt16BigEndian(body.GetSpan(4)[2..], window.Performed);
            body.Advance(4);
            sub.End(body);
        }
        foreach (var role in info.RoleSelections)
        {
            var sub = Item(body, 0x54);
            Prefixed(body, Encoding.ASCII.GetBytes(role.SopClass));
            Put(body, (byte)(role.ScuRole ? 1 : 0), (byte)(role.ScpRole ? 1 : 0));
            sub.End(body);
        }
        var version = info.ImplementationVersionName ?? (string.IsNullOrEmpty(info.ImplementationClassUid) ? ImplementationVersionName : null);
        if (version is not null)
        {
            if (!PduFields.IsVersionName(version))
                throw new ArgumentException($"An implementation version name is 1 to 16 ASCII characters: \"{version}\".", nameof(info));
            var sub = Item(body, 0x55);
            body.Write(Encoding.ASCII.GetBytes(version));
            sub.End(body);
        }
        foreach (var negotiation in info.ExtendedNegotiations)
        {
            var sub = Item(body, 0x56);
            Prefixed(body, Encoding.ASCII.GetBytes(negotiation.SopClass));
            body.Write(negotiation.ApplicationInformation.Span);
            sub.End(body);
        }
        if (request && info.UserIdentity is { } identity)
        {
            var sub = Item(body, 0x58);
            Put(body, (byte)identity.Kind, (byte)(identity.PositiveResponseRequested ? 1 : 0));
            Prefixed(body, identity.Primary.Span);
            Prefixed(body, identity.Secondary.Span);
            sub.End(body);
        }
        if (!request && info.UserIdentityResponse is { } response)
        {
            var sub = Item(body, 0x59);
            Prefixed(body, response.Span);
            sub.End(body);
        }
        item.End(body);
    }

    private static byte[] AeTitle(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        var trimmed = title.Trim(' ');
        if (!PduFields.IsAeTitle(trimmed))
            throw new ArgumentException($"An AE title is 1 to 16 printable ASCII characters without a backslash: \"{title}\".", nameof(title));
        return Encoding.ASCII.GetBytes(trimmed.PadRight(16));
    }

    private static void Uid(ArrayBufferWriter<byte> body, byte type, string uid)
    {
        if (!PduFields.IsUid(uid))
            throw new ArgumentException($"Not a UID: \"{uid}\".", nameof(uid));
        var item = Item(body, type);
        body.Write(Encoding.ASCII.GetBytes(uid));
        item.End(body);
    }

    private static void Put(ArrayBufferWriter<byte> body, params ReadOnlySpan<byte> bytes) => body.Write(bytes);

    private static void Prefixed(ArrayBufferWriter<byte> body, ReadOnlySpan<byte> value)
    {
        if (value.Length > ushort.MaxValue)
            throw new ArgumentException($"A value of {value.Length} bytes does not fit a two-byte length.", nameof(value));
        BinaryPrimitives.WriteUInt16BigEndian(body.GetSpan(2), (ushort)value.Length);
        body.Advance(2);
        body.Write(value);
    }

    /// <summary>Starts an item (type, reserved, length to be filled in by <see cref="OpenItem.End"/>).</summary>
    private static OpenItem Item(ArrayBufferWriter<byte> body, byte type)
    {
        var start = body.WrittenCount;
        Put(body, type, 0, 0, 0);
        return new OpenItem(start);
    }

    private readonly record struct OpenItem(int Start)
    {
        public void End(ArrayBufferWriter<byte> body)
        {
            var length = body.WrittenCount - Start - 4;
            if (length > ushort.MaxValue)
                throw new ArgumentException($"An item of {length} bytes does not fit a two-byte length.");
            // ArrayBufferWriter exposes what it wrote read-only; the length is patched in its memory.
            var written = System.Runtime.InteropServices.MemoryMarshal.AsMemory(body.WrittenMemory);
            BinaryPrimitives.WriteUInt16BigEndian(written.Span[(Start + 2)..], (ushort)length);
        }
    }
}
