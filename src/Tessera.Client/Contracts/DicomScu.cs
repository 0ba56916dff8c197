namespace Tessera.Client.Contracts;

/// <summary>The answer to a C-ECHO sent to a node of the AE table.</summary>
public sealed record DicomEchoResult(string AeTitle, string Status, double Milliseconds);

/// <summary>The body of <c>POST /api/projects/{p}/dicom/send</c>: the node of the AE table, and a session or scan of the project by its path.</summary>
public sealed record DicomSendRequest(string Node, string Target);

/// <summary>What a send did: instances sent, and each failure with the status and reason the receiver (or this side) gave.</summary>
public sealed record DicomSendReport(int Sent, int Failed, IReadOnlyList<DicomSendFailure> Failures);

public sealed record DicomSendFailure(string SopInstanceUid, string Status, string? Reason);

/// <summary>
/// The body of <c>POST /api/dicom/nodes/{aeTitle}/find</c>: the level (PATIENT, STUDY, SERIES, IMAGE), the
/// model (<c>study</c> or <c>patient</c> root) and the keys by keyword or tag (an empty value asks for it back).
/// </summary>
public sealed record DicomFindRequest(string Level = "STUDY", string Model = "study", IReadOnlyDictionary<string, string>? Keys = null);

/// <summary>
/// The body of <c>POST /api/projects/{p}/dicom/retrieve</c>: what to fetch from <see cref="Node"/> into the project,
/// by C-MOVE to this node (<c>move</c>, the default) or by C-GET on the association (<c>get</c>).
/// </summary>
public sealed record DicomRetrieveRequest(string Node, string Level, IReadOnlyDictionary<string, string> Keys, string Method = "move");

/// <summary>How a retrieval ended: the final status and its sub-operation counts.</summary>
public sealed record DicomRetrieveReport(string Status, int Completed, int Failed, int Warning);
