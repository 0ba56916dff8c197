using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Tessera.Server.DicomNetwork;

/// <summary>
/// The certificates of DICOM TLS, read once from the PEM files of <see cref="DicomTlsOptions"/>: this node's
/// certificate (with the intermediates after it), served on the TLS port and shown when a peer asks this node
/// for a client certificate, and the trusted certificates that callers' and peers' certificates must chain to.
/// Makes the options of both ends of a TLS connection.
/// </summary>
internal sealed class DicomTlsCredentials
{
    /// <summary>BCP 195 (RFC 9325), which PS3.15 B.9 profiles: TLS 1.2 and 1.3, nothing older.</summary>
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> _refused = new();
    private readonly DicomTlsClientCertificates _callers;
    private readonly SslStreamCertificateContext? _own;
    private readonly X509Certificate2Collection _trusted;

    /// <exception cref="InvalidOperationException">A file is missing or unreadable, or the key is not the certificate's.</exception>
    public DicomTlsCredentials(DicomTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _callers = options.ClientCertificates;
        _own = LoadOwn(options);
        _trusted = LoadTrusted(options);
    }

    /// <summary>This node's certificate, or null when none is configured.</summary>
    public X509Certificate2? Certificate => _own?.TargetCertificate;

    /// <summary>For the TLS listener: this node's certificate, and the callers' certificates asked for and checked as configured.</summary>
    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = _own ?? throw new InvalidOperationException("No certificate is configured (Dicom:Tls:Certificate)."),
        EnabledSslProtocols = Protocols,
        ClientCertificateRequired = _callers != DicomTlsClientCertificates.None,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (sender, certificate, chain, _) =>
        {
            var why = _callers switch
            {
                DicomTlsClientCertificates.None => null,
                _ when certificate is null => _callers == DicomTlsClientCertificates.Optional ? null
                    : "the caller sent no client certificate (Dicom:Tls:ClientCertificates is required)",
                // Only the trusted certificates count for callers: the system's store trusts every public CA, and any site can have a certificate from one.
                _ => Untrusted(certificate, chain, ClientAuthentication) is { } problem
                    ? $"the caller's certificate ({certificate.Subject}, issued by {certificate.Issuer}) {problem}" : null,
            };
            if (why is not null)
                _refused.AddOrUpdate(sender, why);
            return why is null;
        },
    };

    /// <summary>Why this node refused the certificate of the TLS connection <paramref name="stream"/> (an SslStream), or null.</summary>
    public string? RefusalOf(object stream) => _refused.TryGetValue(stream, out var why) ? why : null;

    /// <summary>
    /// For a call to a peer over TLS: its certificate must carry <paramref name="serverName"/> and chain to the
    /// system's store or to the trusted certificates; this node's certificate goes along when the peer asks for one.
    /// </summary>
    /// <param name="refused">Told why the peer's certificate was refused, when it is.</param>
    public SslClientAuthenticationOptions ClientOptions(string serverName, Action<string>? refused = null) => new()
    {
        TargetHost = serverName,
        EnabledSslProtocols = Protocols,
        ClientCertificateContext = _own,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            string? why = null;
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
                why = "the peer sent no certificate";
            else if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
                why = $"the peer's certificate ({certificate.Subject}) does not carry the name {serverName} (set the row's host, or tlsServerName, to a name it carries)";
            else if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) && Untrusted(certificate, chain, ServerAuthentication) is { } problem)
                why = $"the peer's certificate ({certificate.Subject}, issued by {certificate.Issuer}) {problem}";
            if (why is not null)
                refused?.Invoke(why);
            return why is null;
        },
    };

    /// <summary>Why a certificate does not chain to the trusted ones for the purpose, or null when it does.</summary>
    private string? Untrusted(X509Certificate certificate, X509Chain? presented, Oid purpose)
    {
        if (Chains(certificate, presented, purpose))
            return null;
        if (_trusted.Count == 0)
            return "is not trusted: no Dicom:Tls:TrustedCertificates are configured" + (purpose == ServerAuthentication ? " and the system's store does not trust it" : "");
        var status = presented?.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList() ?? [];
        var detail = status.Count == 0 ? "" : $" ({string.Join(", ", status)})";
        return $"does not chain to Dicom:Tls:TrustedCertificates{(purpose == ServerAuthentication ? " or the system's store" : "")}, or not for {purpose.FriendlyName}{detail}";
    }

    /// <summary>Whether a certificate is one of the trusted ones, or chains to one of them for the purpose.</summary>
    private bool Chains(X509Certificate certificate, X509Chain? presented, Oid purpose)
    {
        if (_trusted.Count == 0)
            return false;
        var leaf = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (_trusted.Any(t => t.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)))
            return true;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(purpose);
        // The intermediates the peer sent along.
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(leaf);
    }

    private static SslStreamCertificateContext? LoadOwn(DicomTlsOptions options)
    {
        if (string.IsNullOrEmpty(options.Certificate) && string.IsNullOrEmpty(options.Key))
            return null;
        if (string.IsNullOrEmpty(options.Certificate) || string.IsNullOrEmpty(options.Key))
            throw new InvalidOperationException("Dicom:Tls:Certificate and Dicom:Tls:Key go together: set both (PEM files) or neither.");
        RequireFile(options.Certificate, "Dicom:Tls:Certificate");
        RequireFile(options.Key, "Dicom:Tls:Key");
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(options.Certificate, options.Key);
            // The key of a PEM file is ephemeral, which SslStream cannot use on every platform; a PKCS#12 round trip makes it a usable one.
            leaf = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            chain.ImportFromPemFile(options.Certificate);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException(
                $"Dicom:Tls:Certificate ({options.Certificate}) and Dicom:Tls:Key ({options.Key}) are not a PEM certificate and its unencrypted private key: {e.Message}", e);
        }
        var intermediates = new X509Certificate2Collection(chain.Where(c => !c.RawDataMemory.Span.SequenceEqual(leaf.RawDataMemory.Span)).ToArray());
        return SslStreamCertificateContext.Create(leaf, intermediates, offline: true);
    }

    private static X509Certificate2Collection LoadTrusted(DicomTlsOptions options)
    {
        var trusted = new X509Certificate2Collection();
        if (string.IsNullOrEmpty(options.TrustedCertificates))
        {
            if (options.ClientCertificates != DicomTlsClientCertificates.None)
                throw new InvalidOperationException(
                    $"Dicom:Tls:ClientCertificates is {options.ClientCertificates.ToString().ToLowerInvariant()}: set Dicom:Tls:TrustedCertificates to a PEM file of the CA certificates that callers' certificates must chain to.");
            return trusted;
        }
        RequireFile(options.TrustedCertificates, "Dicom:Tls:TrustedCertificates");
        try
        {
            trusted.ImportFromPemFile(options.TrustedCertificates);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"Dicom:Tls:TrustedCertificates ({options.TrustedCertificates}) cannot be read as PEM certificates: {e.Message}", e);
        }
        if (trusted.Count == 0)
            throw new InvalidOperationException($"Dicom:Tls:TrustedCertificates ({options.TrustedCertificates}) holds no PEM certificate.");
        return trusted;
    }

    private static void RequireFile(string path, string key)
    {
        if (!File.Exists(path))
            throw new InvalidOperationException($"{key}: the file {path} does not exist.");
    }
}
