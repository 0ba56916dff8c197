using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.Security;

/// <summary>
/// Running behind a reverse proxy that ends TLS: configuration section <c>Server:ForwardedHeaders</c>. When on,
/// <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c> and <c>X-Forwarded-Host</c> are believed from the listed
/// proxies only, and then stand for the client's address (audit log, sign-in limits), scheme (Secure cookies,
/// HSTS) and host (absolute links such as DICOMweb RetrieveURLs). From any other address they are ignored.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "Server:ForwardedHeaders";

    /// <summary>Whether forwarded headers are read at all (off: every request stands for itself).</summary>
    public bool Enabled { get; set; }

    /// <summary>Addresses of the proxies whose forwarded headers are believed, e.g. <c>127.0.0.1</c> or <c>10.0.0.5</c>.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Networks (CIDR) whose proxies' forwarded headers are believed, e.g. <c>10.0.0.0/24</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies, from the last one, a request's forwarded values are read through.</summary>
    [Range(1, 16)]
    public int ForwardLimit { get; set; } = 1;
}
