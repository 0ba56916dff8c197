namespace Tessera.Archive.Dicom.Query;

public enum DicomConditionKind
{
    /// <summary>Empty value: every entity matches (the attribute is only asked for).</summary>
    Universal,
    SingleValue,
    /// <summary>Contains * or ?.</summary>
    Wildcard,
    /// <summary>Several values separated by backslash (or comma in QIDO): any may match.</summary>
    List,
    /// <summary>Dates or times "low-high", either end open.</summary>
    Range,
}

/// <summary>A matching key's value, parsed as PS3.4 C.2.2.2 describes.</summary>
public sealed record DicomCondition(DicomConditionKind Kind, IReadOnlyList<string> Values, string? Low = null, string? High = null)
{
    public static DicomCondition Parse(string value, bool rangeable, bool listable)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.Length == 0 || text == "*")
            return new DicomCondition(DicomConditionKind.Universal, []);
        if (listable && (text.Contains('\\', StringComparison.Ordinal) || text.Contains(',', StringComparison.Ordinal)))
        {
            var values = text.Split(['\\', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return new DicomCondition(DicomConditionKind.List, values);
        }
        if (rangeable && text.Contains('-', StringComparison.Ordinal))
        {
            var dash = text.IndexOf('-', StringComparison.Ordinal);
            var low = text[..dash].Trim();
            var high = text[(dash + 1)..].Trim();
            return new DicomCondition(DicomConditionKind.Range, [], low.Length == 0 ? null : low, high.Length == 0 ? null : high);
        }
        if (text.Contains('*', StringComparison.Ordinal) || text.Contains('?', StringComparison.Ordinal))
            return new DicomCondition(DicomConditionKind.Wildcard, [text]);
        return new DicomCondition(DicomConditionKind.SingleValue, [text]);
    }

    /// <summary>The wildcard value as a SQL LIKE pattern (escaped with '\').</summary>
    public static string LikePattern(string wildcard)
    {
        ArgumentNullException.ThrowIfNull(wildcard);
        return Hierarchy.LikePatterns.Escape(wildcard).Replace('*', '%').Replace('?', '_');
    }
}
