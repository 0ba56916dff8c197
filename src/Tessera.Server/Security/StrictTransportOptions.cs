using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.Security;

/// <summary>
/// HTTP Strict Transport Security (RFC 6797) on HTTPS responses (direct, or through a trusted proxy that says
/// the request came over HTTPS): configuration section <c>Server:Hsts</c>.
/// </summary>
public sealed class StrictTransportOptions
{
    public const string SectionName = "Server:Hsts";

    /// <summary>Whether HTTPS responses carry <c>Strict-Transport-Security</c>. Plain HTTP responses never do.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long browsers keep to HTTPS for the host after a response.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Whether the rule covers the host's subdomains too.</summary>
    public bool IncludeSubDomains { get; set; }
}
