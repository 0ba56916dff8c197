namespace Tessera.Archive.Data;

/// <summary>What a remote application entity may ask of the DICOM node.</summary>
[Flags]
public enum DicomOperations
{
    None = 0,
    Echo = 1,
    Store = 2,
    Find = 4,
    Move = 8,
    Get = 16,
}

/// <summary>
/// A row of the AE table: a remote DICOM application entity, where to reach it (C-MOVE destinations,
/// sends), what it may ask, and the project its C-STOREs to the server's own AE title go to (and
/// whose data it may query and retrieve).
/// </summary>
public sealed class DicomNode
{
    public required string AeTitle { get; set; }
    public required string Host { get; set; }
    public int Port { get; set; }
    public DicomOperations Allow { get; set; }
    public Guid? ProjectId { get; set; }

    /// <summary>Whether this node calls the AE over DICOM TLS (sends, queries, retrievals, C-MOVE sub-operations, commitment reports).</summary>
    public bool Tls { get; set; }

    /// <summary>The name the AE's TLS certificate must carry, when it is not <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
