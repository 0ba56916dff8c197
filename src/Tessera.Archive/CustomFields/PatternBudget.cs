using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tessera.Archive.CustomFields;

/// <summary>
/// One time budget for all the pattern matching of one write. NJsonSchema matches each value on its own, each within the
/// process's regular-expression timeout, so a schema pattern with catastrophic backtracking and an array of many values
/// would take that timeout once per value. Before it runs, every pattern of the schema is tried on every string of the
/// values (names included) against a single deadline: a superset of the matches NJsonSchema makes, so when this finishes
/// in time, so does the validation; when it does not, the write is refused. Values are bounded in number first.
/// </summary>
internal static class PatternBudget
{
    /// <summary>The time all of a write's matching may take.</summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);

    /// <summary>The most JSON values (of any kind, at any depth) a write's custom fields may hold.</summary>
    public const int MaxValues = 10_000;

    /// <summary>Every pattern of a schema (read once, when the schema is parsed).</summary>
    public static IReadOnlyCollection<string> PatternsOf(string schemaText)
    {
        using var schema = JsonDocument.Parse(schemaText);
        var patterns = new HashSet<string>(StringComparer.Ordinal);
        Patterns(schema.RootElement, patterns);
        return patterns;
    }

    public static void Check(IReadOnlyCollection<string> patterns, JsonElement fields)
    {
        if (fields.ValueKind != JsonValueKind.Object)
            return;
        var strings = new List<string>();
        var count = 0;
        Collect(fields, strings, ref count);
        if (patterns.Count == 0 || strings.Count == 0)
            return;
        var started = Stopwatch.GetTimestamp();
        foreach (var pattern in patterns)
        {
            Regex regex;
            try
            {
                regex = new Regex(pattern, RegexOptions.None, Remaining(started));
            }
            catch (ArgumentException)
            {
                continue; // NJsonSchema reports an invalid pattern its own way
            }
            foreach (var value in strings)
            {
                regex.IsMatch(value);
                if (Remaining(started) <= TimeSpan.Zero)
                    throw new RegexMatchTimeoutException(value.Length > 64 ? value[..64] : value, pattern, Budget);
            }
        }
    }

    private static TimeSpan Remaining(long started)
    {
        var left = Budget - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    private static void Collect(JsonElement element, List<string> strings, ref int count)
    {
        if (++count > MaxValues)
            throw TesseraException.Invalid($"The custom fields hold more than {MaxValues:N0} values; custom fields are for a record's attributes, files for bulk data.");
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    strings.Add(property.Name);
                    Collect(property.Value, strings, ref count);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Collect(item, strings, ref count);
                break;
            case JsonValueKind.String:
                strings.Add(element.GetString()!);
                break;
        }
    }

    /// <summary>Every "pattern" string and every key of "patternProperties", wherever they sit in the schema.</summary>
    private static void Patterns(JsonElement element, HashSet<string> patterns)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property is { Name: "pattern", Value.ValueKind: JsonValueKind.String })
                        patterns.Add(property.Value.GetString()!);
                    else if (property is { Name: "patternProperties", Value.ValueKind: JsonValueKind.Object })
                        patterns.UnionWith(property.Value.EnumerateObject().Select(p => p.Name));
                    Patterns(property.Value, patterns);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    Patterns(item, patterns);
                break;
        }
    }
}
