namespace Tessera.Server.DicomWeb;

/// <summary>
/// One media range a client accepts: a media type (possibly a wildcard), for multipart/related the type of its
/// parts, the transfer syntax asked for (a UID or "*"), and its weight.
/// </summary>
public sealed record MediaRange(string MediaType, string? PartType, string? TransferSyntax, double Quality, int Order = 0)
{
    /// <summary>What a request without Accept is taken to accept.</summary>
    public static readonly MediaRange Any = new("*/*", null, null, 1);

    public bool IsMultipart => MediaType == "multipart/related";

    /// <summary><c>*/*</c> or <c>multipart/*</c>: the resource's default media type (PS3.18 8.7.7).</summary>
    public bool IsWildcard => MediaType is "*/*" or "multipart/*";

    /// <summary>Whether <paramref name="pattern"/> (a type, <c>image/*</c> or <c>*/*</c>) covers <paramref name="mediaType"/>.</summary>
    public static bool TypeMatches(string pattern, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        ArgumentNullException.ThrowIfNull(mediaType);
        if (pattern == "*/*" || pattern.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
            return true;
        return pattern.EndsWith("/*", StringComparison.Ordinal)
            && mediaType.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase);
    }

    public override string ToString() =>
        MediaType + (PartType is null ? "" : $"; type=\"{PartType}\"") + (TransferSyntax is null ? "" : $"; transfer-syntax={TransferSyntax}")
        + (Quality < 1 ? $"; q={Quality.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}" : "");
}
