namespace Tessera.Archive.Dicom.Nodes;

/// <summary>How this node calls an AE: over DICOM TLS or not, and the name the AE's certificate must carry (its host when null).</summary>
public sealed record DicomNodeTransport(bool Tls, string? TlsServerName = null)
{
    public static readonly DicomNodeTransport Plain = new(false);
}
