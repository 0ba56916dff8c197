using System.Text.RegularExpressions;

namespace Tessera.Pipelines.Tools;

/// <summary>Tool names and versions as they appear in <c>name@version</c> and in URLs.</summary>
public static partial class ToolNames
{
    public static bool IsValid(string? part) => part is not null && Pattern().IsMatch(part);

    /// <summary>Splits <c>name@version</c>; throws <see cref="Tessera.Archive.ErrorKind.Invalid"/> for anything else.</summary>
    public static (string Name, string Version) Parse(string key)
    {
        var at = key?.LastIndexOf('@') ?? -1;
        if (at <= 0 || !IsValid(key![..at]) || !IsValid(key[(at + 1)..]))
        {
            throw Tessera.Archive.TesseraException.Invalid($"A tool is named as name@version (e.g. oct-qc@1.2.0), not '{key}'.");
        }
        return (key[..at], key[(at + 1)..]);
    }

    // \z, not $: "$" also matches before a final line break, which would then pass.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Pattern();
}
