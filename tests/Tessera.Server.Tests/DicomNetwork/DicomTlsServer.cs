using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomNetwork;

/// <summary>
/// A DICOM node server with its TLS listener beside the plain port: a certificate of a test CA, client
/// certificates required and checked against that CA, and at most four connections per address (so that
/// a test reaches the bound quickly).
/// </summary>
public sealed class DicomTlsServer : DicomNodeServer
{
    public DicomTlsServer()
    {
        (Certificate, Key) = Certificates.Issue("tessera");
        TlsPort = FreePort();
        Settings["Dicom:Tls:Port"] = TlsPortText;
        Settings["Dicom:Tls:Certificate"] = Certificate;
        Settings["Dicom:Tls:Key"] = Key;
        Settings["Dicom:Tls:ClientCertificates"] = "required";
        Settings["Dicom:Tls:TrustedCertificates"] = Certificates.CaPath;
        Settings["Dicom:MaxConnectionsPerAddress"] = "4";
    }

    /// <summary>The test CA; peers' certificates are issued by it.</summary>
    public TestCertificates Certificates { get; } = new();

    public string Certificate { get; }

    public string Key { get; }

    public int TlsPort { get; }

    public string TlsPortText => TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>dcmtk's options for a client with a certificate of the test CA that checks the server's against it.</summary>
    public string[] DcmtkTls(string name)
    {
        var (certificate, key) = Certificates.Issue(name);
        return ["+tls", key, certificate, "+cf", Certificates.CaPath];
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Certificates.Dispose();
    }
}
