using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Archive;

namespace Tessera.Pipelines.Assessments;

/// <summary>
/// A condition on an assessment's values from a query string: <c>snr&lt;12</c>, <c>grade&gt;=2</c>,
/// <c>site=A</c>, <c>flag!=true</c>; a dotted key reaches into objects (<c>signal.mean&gt;3</c>).
/// Numbers compare as numbers, anything else as text.
/// </summary>
public sealed partial record AssessmentFilter(string Key, string Operator, string Value)
{
    public static AssessmentFilter Parse(string text)
    {
        var match = Condition().Match(text ?? "");
        if (!match.Success)
            throw TesseraException.Invalid($"A condition is key, operator and value (e.g. snr<12, site=A; operators < <= > >= = !=), not '{text}'.");
        return new AssessmentFilter(match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
    }

    public bool Matches(JsonElement values)
    {
        var node = values;
        foreach (var part in Key.Split('.'))
        {
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(part, out node))
                return Operator == "!=";
        }
        int order;
        if (node.ValueKind == JsonValueKind.Number && double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            order = node.GetDouble().CompareTo(number);
        else
            order = string.CompareOrdinal(node.ValueKind == JsonValueKind.String ? node.GetString() : node.GetRawText(), Value);
        return Operator switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            ">=" => order >= 0,
            "!=" => order != 0,
            _ => order == 0,
        };
    }

    [GeneratedRegex(@"^([A-Za-z0-9_][A-Za-z0-9_.-]*)(<=|>=|!=|<|>|=)(.*)$")]
    private static partial Regex Condition();
}
