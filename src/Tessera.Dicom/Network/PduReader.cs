using System.Buffers.Binary;
using System.Text;

namespace Tessera.Dicom.Network;

/// <summary>
/// Reads PDUs from a connection, checking every length against the PDU and the limits before
/// anything is allocated or trusted. One reader per connection: the values of a
/// <see cref="DataTransfer"/> point into the reader's buffer until the next read.
/// </summary>
public sealed class PduReader(Stream stream, uint maxDataPduLength)
{
    /// <summary>The largest PDU other than P-DATA-TF read (user identity may carry a SAML assertion or a JWT).</summary>
    public const int MaxControlPduLength = 1 << 20;

    /// <summary>The cap when a P-DATA limit of 0 ("no limit") was advertised.</summary>
    public const uint MaxUnlimitedDataPduLength = 64u << 20;

    private const int HeaderLength = 6;
    private readonly byte[] _header = new byte[HeaderLength];
    private byte[] _body = [];

    /// <summary>The largest P-DATA-TF variable field accepted: the Maximum Length this side announced (0 for no limit).</summary>
    public uint MaxDataPduLength { get; set; } = maxDataPduLength;

    /// <summary>When bytes of a PDU last came in (<see cref="System.Diagnostics.Stopwatch"/> ticks): how lately the peer was heard.</summary>
    public long LastReadTimestamp { get; private set; } = System.Diagnostics.Stopwatch.GetTimestamp();

    /// <summary>Reads the next PDU; null when the peer closed the connection between PDUs.</summary>
    public async ValueTask<Pdu?> ReadAsync(CancellationToken ct)
    {
        var read = await stream.ReadAtLeastAsync(_header, HeaderLength, throwOnEndOfStream: false, ct);
        if (read == 0)
            return null;
        LastReadTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        if (read < HeaderLength)
            throw new DicomNetworkException("The connection closed inside a PDU header.");
        var type = _header[0];
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(2));
        if (type is < Pdu.AssociateRequestType or > Pdu.AbortType)
            throw new DicomNetworkException($"Unrecognized PDU type 0x{type:X2}.", AbortReason.UnrecognizedPdu);
        var limit = type == Pdu.DataTransferType
            ? MaxDataPduLength == 0 ? MaxUnlimitedDataPduLength : MaxDataPduLength
            : MaxControlPduLength;
        if (length > limit)
            throw new DicomNetworkException($"A PDU of type 0x{type:X2} claims {length} bytes; the limit is {limit}.", AbortReason.InvalidPduParameterValue);
        if (_body.Length < length)
            _body = new byte[Math.Max(length, Math.Min(limit, Math.Max(16384u, (uint)_body.Length * 2)))];
        var body = _body.AsMemory(0, (int)length);
        if (await stream.ReadAtLeastAsync(body, body.Length, throwOnEndOfStream: false, ct) < body.Length)
            throw new DicomNetworkException($"The connection closed inside a PDU of type 0x{type:X2} ({length} bytes announced).");
        LastReadTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        return Parse(type, body);
    }

    /// <summary>Decodes one PDU's variable field (everything after the 6-byte header).</summary>
    public static Pdu Parse(byte type, ReadOnlyMemory<byte> body)
    {
        if (type is Pdu.AssociateRequestType or Pdu.AssociateAcceptType)
            return ParseAssociate(type, body.Span);
        if (type == Pdu.DataTransferType)
            return ParseDataTransfer(body);
        if (type is < Pdu.AssociateRequestType or > Pdu.AbortType)
            throw new DicomNetworkException($"Unrecognized PDU type 0x{type:X2}.", AbortReason.UnrecognizedPdu);
        var fixedField = body.Span;
        if (fixedField.Length != 4)
            throw new DicomNetworkException($"A PDU of type 0x{type:X2} has {fixedField.Length} bytes, not 4.", AbortReason.InvalidPduParameterValue);
        return type switch
        {
            Pdu.AssociateRejectType => new AssociateReject((RejectResult)fixedField[1], (RejectSource)fixedField[2], fixedField[3]),
            Pdu.ReleaseRequestType => ReleaseRequest.Instance,
            Pdu.ReleaseResponseType => ReleaseResponse.Instance,
            _ => new Abort((AbortSource)fixedField[2], (AbortReason)fixedField[3]),
        };
    }

    private static DataTransfer ParseDataTransfer(ReadOnlyMemory<byte> body)
    {
        var values = new List<Pdv>(1);
        var span = body.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            if (span.Length - offset < 6)
                throw new DicomNetworkException("A P-DATA-TF PDU ends inside a PDV header.", AbortReason.InvalidPduParameterValue);
            var length = BinaryPrimitives.ReadUInt32BigEndian(span[offset..]);
            if (length < 2 || length > span.Length - offset - 4)
                throw new DicomNetworkException($"A PDV claims {length} bytes where {span.Length - offset - 4} remain.", AbortReason.InvalidPduParameterValue);
            var id = span[offset + 4];
            var control = span[offset + 5];
            values.Add(new Pdv(id, (control & 1) != 0, (control & 2) != 0, body.Slice(offset + 6, (int)length - 2)));
            offset += 4 + (int)length;
        }
        if (values.Count == 0)
            throw new DicomNetworkException("A P-DATA-TF PDU holds no PDV.", AbortReason.InvalidPduParameterValue);
        return new DataTransfer(values);
    }

    private static Pdu ParseAssociate(byte type, ReadOnlySpan<byte> body)
    {
        var name = type == Pdu.AssociateRequestType ? "A-ASSOCIATE-RQ" : "A-ASSOCIATE-AC";
        if (body.Length < 68)
            throw new DicomNetworkException($"An {name} PDU has {body.Length} bytes, fewer than its fixed fields.", AbortReason.InvalidPduParameterValue);
        var called = AeTitle(body.Slice(4, 16), "called", name);
        var calling = AeTitle(body.Slice(20, 16), "calling", name);
        string? context = null;
        var proposals = new List<PresentationContextProposal>();
        var answers = new List<PresentationContextAnswer>();
        UserInformation? user = null;
        foreach (var (itemType, item) in Items(body[68..], name))
        {
            switch (itemType)
            {
                case 0x10:
                    context = Uid(item);
                    break;
                case 0x20 when type == Pdu.AssociateRequestType:
                    proposals.Add(ParseProposal(item));
                    break;
                case 0x21 when type == Pdu.AssociateAcceptType:
                    answers.Add(ParseAnswer(item));
                    break;
                case 0x50:
                    user = ParseUserInformation(item, type == Pdu.AssociateRequestType);
                    break;
                default:
                    throw new DicomNetworkException($"An {name} PDU holds an item of type 0x{itemType:X2}.", AbortReason.UnexpectedPduParameter);
            }
        }
        if (string.IsNullOrEmpty(context))
            throw new DicomNetworkException($"An {name} PDU has no application context.", AbortReason.InvalidPduParameterValue);
        if (user is null)
            throw new DicomNetworkException($"An {name} PDU has no user information (it must give a maximum length).", AbortReason.InvalidPduParameterValue);
        return type == Pdu.AssociateRequestType
            ? new AssociateRequest(called, calling, proposals, user, context)
            : new AssociateAccept(called, calling, answers, user, context);
    }

    private static PresentationContextProposal ParseProposal(ReadOnlySpan<byte> item)
    {
        if (item.Length < 4)
            throw new DicomNetworkException("A presentation context item is too short.", AbortReason.InvalidPduParameterValue);
        var id = item[0];
        string? abstractSyntax = null;
        var transferSyntaxes = new List<string>();
        foreach (var (subType, sub) in Items(item[4..], "presentation context"))
        {
            if (subType == 0x30 && abstractSyntax is null)
                abstractSyntax = Uid(sub);
            else if (subType == 0x40)
                transferSyntaxes.Add(Uid(sub));
            else
                throw new DicomNetworkException($"A presentation context holds a sub-item of type 0x{subType:X2}.", AbortReason.UnexpectedPduParameter);
        }
        if (id % 2 == 0 || string.IsNullOrEmpty(abstractSyntax) || transferSyntaxes.Count == 0)
            throw new DicomNetworkException(
                $"Presentation context {id} needs an odd ID, an abstract syntax and at least one transfer syntax.", AbortReason.InvalidPduParameterValue);
        return new PresentationContextProposal(id, abstractSyntax, transferSyntaxes);
    }

    private static PresentationContextAnswer ParseAnswer(ReadOnlySpan<byte> item)
    {
        if (item.Length < 4)
            throw new DicomNetworkException("A presentation context item is too short.", AbortReason.InvalidPduParameterValue);
        var transferSyntax = "";
        foreach (var (subType, sub) in Items(item[4..], "presentation context"))
        {
            if (subType != 0x40)
                throw new DicomNetworkException($"An accepted presentation context holds a sub-item of type 0x{subType:X2}.", AbortReason.UnexpectedPduParameter);
            transferSyntax = Uid(sub);
        }
        var result = (PresentationContextResult)item[2];
        if (result == PresentationContextResult.Acceptance && transferSyntax.Length == 0)
            throw new DicomNetworkException($"Presentation context {item[0]} is accepted without a transfer syntax.", AbortReason.InvalidPduParameterValue);
        return new PresentationContextAnswer(item[0], result, transferSyntax);
    }

    private static UserInformation ParseUserInformation(ReadOnlySpan<byte> item, bool request)
    {
        uint? maxLength = null;
        var info = new UserInformation();
        var roles = new List<RoleSelection>();
        var extended = new List<ExtendedNegotiation>();
        foreach (var (subType, sub) in Items(item, "user information"))
        {
            switch (subType)
            {
                case 0x51 when sub.Length == 4:
                    maxLength = BinaryPrimitives.ReadUInt32BigEndian(sub);
                    break;
                case 0x52:
                    info = info with { ImplementationClassUid = Uid(sub) };
                    break;
                case 0x53 when sub.Length == 4:
                    info = info with { AsynchronousOperations = (BinaryPrimitives.ReadUInt16BigEndian(sub), BinaryPrimitives.ReadUInt16BigEndian(sub.AsSpan(2))) };
                    break;
                case 0x54:
                    var roleClass = Prefixed(sub, "role selection", out var roleRest);
                    if (roleRest.Length != 2)
                        throw new DicomNetworkException("A role selection item has the wrong length.", AbortReason.InvalidPduParameterValue);
                    roles.Add(new RoleSelection(Uid(roleClass), roleRest[0] == 1, roleRest[1] == 1));
                    break;
                case 0x55:
                    info = info with { ImplementationVersionName = VersionName(sub) };
                    break;
                case 0x56:
                    var sopClass = Prefixed(sub, "extended negotiation", out var applicationInformation);
                    extended.Add(new ExtendedNegotiation(Uid(sopClass), applicationInformation.ToArray()));
                    break;
                case 0x57:
                    break; // SOP class common extended negotiation: informative only, nothing here uses it.
                case 0x58 when request:
                    info = info with { UserIdentity = ParseUserIdentity(sub) };
                    break;
                case 0x59 when !request:
                    var response = Prefixed(sub, "user identity response", out var rest);
                    if (!rest.IsEmpty)
                        throw new DicomNetworkException("A user identity response has trailing bytes.", AbortReason.InvalidPduParameterValue);
                    info = info with { UserIdentityResponse = response.ToArray() };
                    break;
                default:
                    throw new DicomNetworkException($"User information holds a sub-item of type 0x{subType:X2} ({sub.Length} bytes) that is not valid here.",
                        AbortReason.InvalidPduParameterValue);
            }
        }
        if (maxLength is not { } max)
            throw new DicomNetworkException("User information gives no maximum length.", AbortReason.InvalidPduParameterValue);
        return info with { MaxPduLength = max, RoleSelections = roles, ExtendedNegotiations = extended };
    }

    private static UserIdentity ParseUserIdentity(ReadOnlySpan<byte> item)
    {
        if (item.Length < 4)
            throw new DicomNetworkException("A user identity item is too short.", AbortReason.InvalidPduParameterValue);
        var kind = (UserIdentityType)item[0];
        var primary = Prefixed(item[2..], "user identity", out var rest);
        ReadOnlySpan<byte> secondary = default, end = default;
        if (!rest.IsEmpty)
            secondary = Prefixed(rest, "user identity", out end);
        if (!end.IsEmpty || !Enum.IsDefined(kind) || primary.IsEmpty)
            throw new DicomNetworkException("A user identity item is malformed.", AbortReason.InvalidPduParameterValue);
        return new UserIdentity(kind, item[1] == 1, primary.ToArray(), secondary.ToArray());
    }

    /// <summary>A value with a two-byte length in front, and what follows it.</summary>
    private static ReadOnlySpan<byte> Prefixed(ReadOnlySpan<byte> data, string what, out ReadOnlySpan<byte> rest)
    {
        if (data.Length < 2)
            throw new DicomNetworkException($"A {what} item is too short.", AbortReason.InvalidPduParameterValue);
        var length = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (length > data.Length - 2)
            throw new DicomNetworkException($"A {what} item claims {length} bytes where {data.Length - 2} remain.", AbortReason.InvalidPduParameterValue);
        rest = data[(2 + length)..];
        return data.Slice(2, length);
    }

    /// <summary>Splits a run of items (type, reserved, two-byte length, value), checking every length.</summary>
    private static List<(byte Type, byte[] Value)> Items(ReadOnlySpan<byte> data, string where)
    {
        var items = new List<(byte, byte[])>();
        while (!data.IsEmpty)
        {
            if (data.Length < 4)
                throw new DicomNetworkException($"The {where} ends inside an item header.", AbortReason.InvalidPduParameterValue);
            var length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (length > data.Length - 4)
                throw new DicomNetworkException($"An item of type 0x{data[0]:X2} in the {where} claims {length} bytes where {data.Length - 4} remain.",
                    AbortReason.InvalidPduParameterValue);
            items.Add((data[0], data.Slice(4, length).ToArray()));
            data = data[(4 + length)..];
        }
        return items;
    }

    /// <summary>An AE title as the writer would write it back: an acceptor echoes both of the request's in its answer.</summary>
    private static string AeTitle(ReadOnlySpan<byte> field, string which, string pdu)
    {
        var title = Encoding.ASCII.GetString(field).Trim(' ', '\0');
        if (!PduFields.IsAeTitle(title))
            throw new DicomNetworkException($"An {pdu} PDU has a {which} AE title that is empty or not printable ASCII.", AbortReason.InvalidPduParameterValue);
        return title;
    }

    private static string Uid(ReadOnlySpan<byte> value)
    {
        var uid = Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');
        if (!PduFields.IsUid(uid))
            throw new DicomNetworkException($"A UID of {uid.Length} characters (64 at most) in an association PDU.", AbortReason.InvalidPduParameterValue);
        return uid;
    }

    /// <summary>Informative only: an empty one counts as absent.</summary>
    private static string? VersionName(ReadOnlySpan<byte> value)
    {
        var name = Encoding.ASCII.GetString(value).Trim(' ', '\0');
        if (name.Length > 0 && !PduFields.IsVersionName(name))
            throw new DicomNetworkException($"An implementation version name of {name.Length} characters (16 at most).", AbortReason.InvalidPduParameterValue);
        return name.Length == 0 ? null : name;
    }
}
