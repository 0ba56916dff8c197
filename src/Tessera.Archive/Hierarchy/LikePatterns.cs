namespace Tessera.Archive.Hierarchy;

/// <summary>Text searches as SQL LIKE patterns, with '\' escaping the wildcards a user types.</summary>
public static class LikePatterns
{
    public const string EscapeCharacter = "\\";

    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal)
            .Replace("_", "\\_", StringComparison.Ordinal);
    }

    /// <summary>Lower-cased "contains" pattern: compared with a lower-cased column, case-insensitive on every provider.</summary>
    public static string Contains(string text) => "%" + Escape(text.Trim().ToLowerInvariant()) + "%";
}
