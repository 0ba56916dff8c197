using System.Text.RegularExpressions;

namespace Tessera.Archive.Hierarchy;

/// <summary>Labels and identifiers are URL-safe: <c>[A-Za-z0-9._-]{1,64}</c>, and never "." or "..".</summary>
public static partial class Labels
{
    public static bool IsValid(string? label) =>
        label is not null && Pattern().IsMatch(label) && label is not "." and not "..";

    public static void Validate(string? label, string what)
    {
        if (!IsValid(label))
        {
            throw TesseraException.Invalid(
                $"The {what} '{Shorten(label)}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-'.");
        }
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length > 80 ? value[..80] + "…" : value;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
