using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tessera.Dicom;

namespace Tessera.Archive.Dicom.Query;

/// <summary>
/// Turns one matching key into a database filter (PS3.4 C.2.2.2): single value, wildcards, value lists,
/// date and time ranges. Person names match case-insensitively; with fuzzy matching, on the start of any
/// name component as well.
/// </summary>
internal static class QueryFilters
{
    private const string Escape = Hierarchy.LikePatterns.EscapeCharacter;

    public static IQueryable<QueryRow> Apply(IQueryable<QueryRow> rows, QueryAttribute attribute, DicomCondition condition, bool fuzzy)
    {
        if (condition.Kind == DicomConditionKind.Universal)
            return rows;
        if (attribute.Number is { } number)
            return rows.Where(Compose(number, NumberPredicate(attribute, condition)));
        return rows.Where(Compose(attribute.Text!, TextPredicate(attribute, condition, fuzzy)));
    }

    private static Expression<Func<int?, bool>> NumberPredicate(QueryAttribute attribute, DicomCondition condition)
    {
        if (condition.Kind is not (DicomConditionKind.SingleValue or DicomConditionKind.List))
            throw TesseraException.Invalid($"{Name(attribute)} is a number: it matches a single value or a list, not '{string.Join(",", condition.Values)}'");
        var values = new List<int>();
        foreach (var text in condition.Values)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                throw TesseraException.Invalid($"{Name(attribute)} is a number; '{text}' is not");
            values.Add(n);
        }
        return v => v != null && values.Contains(v.Value);
    }

    private static Expression<Func<string?, bool>> TextPredicate(QueryAttribute attribute, DicomCondition condition, bool fuzzy)
    {
        switch (condition.Kind)
        {
            case DicomConditionKind.List:
                var values = condition.Values.ToList();
                return v => v != null && values.Contains(v);
            case DicomConditionKind.Range:
                var low = condition.Low;
                var high = condition.High is { } h ? UpperBound(h, attribute.Vr) : null;
                if (low is not null && high is not null)
                    return v => v != null && v != "" && string.Compare(v, low) >= 0 && string.Compare(v, high) <= 0;
                if (low is not null)
                    return v => v != null && v != "" && string.Compare(v, low) >= 0;
                return v => v != null && v != "" && string.Compare(v, high) <= 0;
            case DicomConditionKind.Wildcard when attribute.IsPersonName:
                var upperPattern = DicomCondition.LikePattern(condition.Values[0].ToUpperInvariant());
                return v => v != null && EF.Functions.Like(v.ToUpper(), upperPattern, Escape);
            case DicomConditionKind.Wildcard:
                var pattern = DicomCondition.LikePattern(condition.Values[0]);
                return v => v != null && EF.Functions.Like(v, pattern, Escape);
            case DicomConditionKind.SingleValue when attribute.IsPersonName && fuzzy:
                var escaped = Hierarchy.LikePatterns.Escape(condition.Values[0].ToUpperInvariant());
                var start = escaped + "%";
                var component = "%^" + escaped + "%";
                return v => v != null && (EF.Functions.Like(v.ToUpper(), start, Escape) || EF.Functions.Like(v.ToUpper(), component, Escape));
            case DicomConditionKind.SingleValue when attribute.IsPersonName:
                var upper = Hierarchy.LikePatterns.Escape(condition.Values[0].ToUpperInvariant());
                return v => v != null && EF.Functions.Like(v.ToUpper(), upper, Escape);
            default:
                var value = condition.Values[0];
                return v => v == value;
        }
    }

    /// <summary>The inclusive upper end of a range: a time without seconds or fraction covers the whole minute or second.</summary>
    private static string UpperBound(string high, DicomVr vr)
    {
        if (vr != DicomVr.TM || high.Contains('.', StringComparison.Ordinal))
            return high;
        return high.Length switch
        {
            2 => high + "5959.999999",
            4 => high + "59.999999",
            6 => high + ".999999",
            _ => high,
        };
    }

    private static string Name(QueryAttribute attribute) => Tessera.Dicom.Dictionary.DicomDictionary.KeywordOf(attribute.Tag) ?? attribute.Tag.ToString();

    private static Expression<Func<QueryRow, bool>> Compose<T>(Expression<Func<QueryRow, T>> selector, Expression<Func<T, bool>> predicate)
    {
        var body = new Substitution(predicate.Parameters[0], selector.Body).Visit(predicate.Body);
        return Expression.Lambda<Func<QueryRow, bool>>(body, selector.Parameters);
    }

    private sealed class Substitution(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : base.VisitParameter(node);
    }
}
