namespace Tessera.Server.DicomNetwork;

/// <summary>Whether the TLS listener asks callers for a certificate, and whether it must have one.</summary>
public enum DicomTlsClientCertificates
{
    /// <summary>No certificate is asked for: TLS protects the channel; the AE table alone decides who may do what.</summary>
    None,

    /// <summary>A certificate is asked for; a caller without one is served, one with a certificate that does not chain to the trusted ones is refused.</summary>
    Optional,

    /// <summary>A caller without a certificate that chains to the trusted ones is refused in the handshake.</summary>
    Required,
}

/// <summary>
/// DICOM over TLS (PS3.15 Annex B, the BCP 195 profile: TLS 1.2 and 1.3 only): configuration section
/// <c>Dicom:Tls</c>. A second listener serves it beside the plain port, under the same bounds; the
/// certificate and key are also this node's client certificate when it calls an AE-table row over TLS.
/// </summary>
public sealed class DicomTlsOptions
{
    public const string SectionName = DicomOptions.SectionName + ":Tls";

    /// <summary>The TCP port of the TLS listener; 0 turns it off (the plain <see cref="DicomOptions.Port"/> is unaffected).</summary>
    public int Port { get; set; }

    /// <summary>A PEM file with this node's certificate, followed by any intermediate CA certificates to send with it.</summary>
    public string? Certificate { get; set; }

    /// <summary>A PEM file with the certificate's private key (PKCS#8 or PKCS#1, not encrypted).</summary>
    public string? Key { get; set; }

    /// <summary>Whether callers of the TLS port must show a certificate (<c>none</c>, <c>optional</c>, <c>required</c>).</summary>
    public DicomTlsClientCertificates ClientCertificates { get; set; } = DicomTlsClientCertificates.None;

    /// <summary>
    /// A PEM bundle of CA (or self-signed peer) certificates: callers' certificates must chain to one of them,
    /// and peers this node calls over TLS are trusted when their certificate chains to one of them or to the system's store.
    /// </summary>
    public string? TrustedCertificates { get; set; }
}
