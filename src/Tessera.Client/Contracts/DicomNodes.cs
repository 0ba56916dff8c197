namespace Tessera.Client.Contracts;

/// <summary>
/// A row of the AE table: a remote DICOM application entity. <see cref="Allow"/> names what it may ask of
/// the server (echo, store, find, move, get); <see cref="Project"/> is where its C-STOREs to the server's
/// own AE title go, and what it may query and retrieve. With <see cref="Tls"/>, the server calls it over DICOM TLS, and its
/// certificate must carry <see cref="TlsServerName"/> (the host when null).
/// </summary>
public sealed record DicomNodeDto(string AeTitle, string Host, int Port, IReadOnlyList<string> Allow, string? Project, DateTime CreatedAt, DateTime UpdatedAt,
    bool Tls = false, string? TlsServerName = null);

/// <summary>
/// The body of <c>PUT /api/dicom/nodes/{aeTitle}</c>. Without <see cref="Allow"/>, the node may only echo; without
/// <see cref="Tls"/>, the server calls it over plain TCP.
/// </summary>
public sealed record PutDicomNodeRequest(string Host, int Port, IReadOnlyList<string>? Allow = null, string? Project = null, bool Tls = false,
    string? TlsServerName = null);
