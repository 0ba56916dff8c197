namespace Tessera.Dicom.Network;

/// <summary>A protocol data unit of the DICOM upper layer (PS3.8 section 9.3).</summary>
public abstract record Pdu
{
    public const byte AssociateRequestType = 0x01;
    public const byte AssociateAcceptType = 0x02;
    public const byte AssociateRejectType = 0x03;
    public const byte DataTransferType = 0x04;
    public const byte ReleaseRequestType = 0x05;
    public const byte ReleaseResponseType = 0x06;
    public const byte AbortType = 0x07;

    /// <summary>The PDU-type byte.</summary>
    public abstract byte Type { get; }
}

/// <summary>The DICOM Application Context Name, the only one PS3.7 defines.</summary>
public static class ApplicationContext
{
    public const string Dicom = "1.2.840.10008.3.1.1.1";
}

/// <summary>A proposed presentation context: an abstract syntax (usually a SOP class) and the transfer syntaxes offered for it.</summary>
public sealed record PresentationContextProposal(byte Id, string AbstractSyntax, IReadOnlyList<string> TransferSyntaxes);

/// <summary>The answer to one proposed presentation context (PS3.8 table 9-18).</summary>
public enum PresentationContextResult : byte
{
    Acceptance = 0,
    UserRejection = 1,
    NoReason = 2,
    AbstractSyntaxNotSupported = 3,
    TransferSyntaxesNotSupported = 4,
}

/// <summary>One presentation context of an A-ASSOCIATE-AC: the result and, when accepted, the one transfer syntax chosen.</summary>
public sealed record PresentationContextAnswer(byte Id, PresentationContextResult Result, string TransferSyntax);

/// <summary>SCP/SCU role selection for one SOP class (PS3.7 D.3.3.4).</summary>
public sealed record RoleSelection(string SopClass, bool ScuRole, bool ScpRole);

/// <summary>SOP class extended negotiation (PS3.7 D.3.3.5): the application information is kept as bytes.</summary>
public sealed record ExtendedNegotiation(string SopClass, ReadOnlyMemory<byte> ApplicationInformation);

/// <summary>The kinds of user identity of PS3.7 D.3.3.7.</summary>
public enum UserIdentityType : byte
{
    Username = 1,
    UsernameAndPasscode = 2,
    Kerberos = 3,
    Saml = 4,
    Jwt = 5,
}

/// <summary>The requestor's user identity: for a username and passcode, both in UTF-8.</summary>
public sealed record UserIdentity(UserIdentityType Kind, bool PositiveResponseRequested, ReadOnlyMemory<byte> Primary, ReadOnlyMemory<byte> Secondary);

/// <summary>The user information item (PS3.8 9.3.2.3, PS3.7 annex D.3.3) of a request or an accept.</summary>
public sealed record UserInformation
{
    /// <summary>The largest P-DATA-TF PDU the sender can receive; 0 means no limit.</summary>
    public uint MaxPduLength { get; init; }

    public string ImplementationClassUid { get; init; } = "";

    public string? ImplementationVersionName { get; init; }

    /// <summary>Maximum operations invoked and performed asynchronously; null when not negotiated (both 1).</summary>
    public (ushort Invoked, ushort Performed)? AsynchronousOperations { get; init; }

    public IReadOnlyList<RoleSelection> RoleSelections { get; init; } = [];

    public IReadOnlyList<ExtendedNegotiation> ExtendedNegotiations { get; init; } = [];

    /// <summary>In a request: the identity the requestor asserts.</summary>
    public UserIdentity? UserIdentity { get; init; }

    /// <summary>In an accept: the server response to a user identity that asked for one (may be empty).</summary>
    public ReadOnlyMemory<byte>? UserIdentityResponse { get; init; }
}

/// <summary>A-ASSOCIATE-RQ.</summary>
public sealed record AssociateRequest(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextProposal> PresentationContexts,
    UserInformation UserInformation,
    string ApplicationContextName = ApplicationContext.Dicom) : Pdu
{
    public override byte Type => AssociateRequestType;
}

/// <summary>A-ASSOCIATE-AC. The AE titles repeat those of the request (PS3.8 9.3.3.2).</summary>
public sealed record AssociateAccept(
    string CalledAeTitle,
    string CallingAeTitle,
    IReadOnlyList<PresentationContextAnswer> PresentationContexts,
    UserInformation UserInformation,
    string ApplicationContextName = ApplicationContext.Dicom) : Pdu
{
    public override byte Type => AssociateAcceptType;
}

/// <summary>Whether an association rejection is permanent or transient.</summary>
public enum RejectResult : byte
{
    Permanent = 1,
    Transient = 2,
}

/// <summary>Who rejected the association.</summary>
public enum RejectSource : byte
{
    ServiceUser = 1,
    ServiceProviderAcse = 2,
    ServiceProviderPresentation = 3,
}

/// <summary>
/// A-ASSOCIATE-RJ. The reason's meaning depends on the source (PS3.8 table 9-21); for the service
/// user: 1 no reason, 2 application context not supported, 3 calling AE title not recognized,
/// 7 called AE title not recognized.
/// </summary>
public sealed record AssociateReject(RejectResult Result, RejectSource Source, byte Reason) : Pdu
{
    public const byte NoReasonGiven = 1;
    public const byte ApplicationContextNotSupported = 2;
    public const byte CallingAeNotRecognized = 3;
    public const byte CalledAeNotRecognized = 7;
    /// <summary>Service provider (presentation): temporary congestion.</summary>
    public const byte TemporaryCongestion = 1;
    /// <summary>Service provider (presentation): local limit exceeded.</summary>
    public const byte LocalLimitExceeded = 2;

    public override byte Type => AssociateRejectType;
}

/// <summary>A presentation data value: a fragment of a command or of a dataset, for one presentation context.</summary>
public readonly record struct Pdv(byte PresentationContextId, bool IsCommand, bool IsLast, ReadOnlyMemory<byte> Data);

/// <summary>
/// P-DATA-TF. Read by <see cref="PduReader"/>, its values point into the reader's buffer and are
/// valid until the reader's next read.
/// </summary>
public sealed record DataTransfer(IReadOnlyList<Pdv> Values) : Pdu
{
    public override byte Type => DataTransferType;
}

/// <summary>A-RELEASE-RQ.</summary>
public sealed record ReleaseRequest : Pdu
{
    public static readonly ReleaseRequest Instance = new();

    public override byte Type => ReleaseRequestType;
}

/// <summary>A-RELEASE-RP.</summary>
public sealed record ReleaseResponse : Pdu
{
    public static readonly ReleaseResponse Instance = new();

    public override byte Type => ReleaseResponseType;
}

/// <summary>Who aborted the association.</summary>
public enum AbortSource : byte
{
    ServiceUser = 0,
    ServiceProvider = 2,
}

/// <summary>Why the service provider aborted (PS3.8 table 9-26).</summary>
public enum AbortReason : byte
{
    NotSpecified = 0,
    UnrecognizedPdu = 1,
    UnexpectedPdu = 2,
    UnrecognizedPduParameter = 4,
    UnexpectedPduParameter = 5,
    InvalidPduParameterValue = 6,
}

/// <summary>A-ABORT.</summary>
public sealed record Abort(AbortSource Source, AbortReason Reason) : Pdu
{
    public override byte Type => AbortType;
}
