namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Orthanc's DICOM TLS settings: its certificate and key, the certificates it trusts, whether callers must show one (PEM paths).</summary>
public sealed record OrthancTls(string Certificate, string Key, string TrustedCertificates, bool RemoteCertificateRequired = true);
