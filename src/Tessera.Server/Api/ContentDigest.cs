using Tessera.Archive;

namespace Tessera.Server.Api;

/// <summary>Reads the SHA-256 member of an RFC 9530 <c>Content-Digest</c> header: <c>sha-256=:base64:</c>.</summary>
public static class ContentDigest
{
    public const string HeaderName = "Content-Digest";

    /// <summary>The lower-case hex digest, or null when the header names no sha-256 (other algorithms are ignored).</summary>
    public static string? ParseSha256(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }
        foreach (var member in header.Split(','))
        {
            var equals = member.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || !member[..equals].Trim().Equals("sha-256", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = member[(equals + 1)..].Trim();
            if (value.Length < 2 || value[0] != ':' || value[^1] != ':')
            {
                throw Malformed();
            }
            Span<byte> digest = stackalloc byte[48];
            if (!Convert.TryFromBase64String(value[1..^1], digest, out var length) || length != 32)
            {
                throw Malformed();
            }
            return Convert.ToHexStringLower(digest[..length]);
        }
        return null;
    }

    private static TesseraException Malformed() => TesseraException.Invalid(
        "The Content-Digest header is malformed: expected sha-256=:<base64 of the 32-byte digest>: (RFC 9530).");
}
