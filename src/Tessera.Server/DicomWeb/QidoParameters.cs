using System.Globalization;
using Tessera.Archive;
using Tessera.Archive.Dicom.Query;
using Tessera.Dicom;
using Tessera.Dicom.Dictionary;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// Reads a QIDO-RS query string (PS3.18 8.3.4): matching keys by keyword or tag, includefield
/// (repeated or comma-separated, or "all"), limit, offset and fuzzymatching. Keys with sequence
/// paths are reported as not used rather than refused.
/// </summary>
internal static class QidoParameters
{
    public const int DefaultLimit = 100;

    public static (DicomQuery Query, List<string> Unused) Parse(IQueryCollection parameters, DicomQueryLevel level)
    {
        var keys = new List<(DicomTag, string)>();
        var include = new HashSet<DicomTag>();
        var unused = new List<string>();
        var all = false;
        int limit = DefaultLimit, offset = 0;
        var fuzzy = false;
        foreach (var (name, values) in parameters)
        {
            var value = values.ToString();
            switch (name.ToLowerInvariant())
            {
                case "project" or "emptyvaluematching" or "multiplevaluematching":
                    break;
                case "includefield":
                    foreach (var field in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                    {
                        if (field.Equals("all", StringComparison.OrdinalIgnoreCase))
                            all = true;
                        else if (field.Contains('.', StringComparison.Ordinal))
                            unused.Add(field);
                        else
                            include.Add(Tag(field));
                    }
                    break;
                case "limit":
                    limit = Number(name, value, 1);
                    break;
                case "offset":
                    offset = Number(name, value, 0);
                    break;
                case "fuzzymatching":
                    fuzzy = value.Equals("true", StringComparison.OrdinalIgnoreCase);
                    break;
                default:
                    if (name.Contains('.', StringComparison.Ordinal))
                        unused.Add(name);
                    else
                        keys.Add((Tag(name), value));
                    break;
            }
        }
        var query = new DicomQuery(level)
        {
            Keys = keys,
            IncludeFields = include,
            IncludeAll = all,
            FuzzyMatching = fuzzy,
            Limit = Math.Min(limit, DicomQueryService.MaxLimit),
            Offset = offset,
        };
        return (query, unused);
    }

    private static DicomTag Tag(string name)
    {
        if (DicomDictionary.TryGetTag(name, out var tag))
            return tag;
        if (name.Length == 8 && DicomTag.TryParse(name, out tag))
            return tag;
        throw TesseraException.Invalid($"'{name}' is neither a DICOM keyword nor a tag (e.g. PatientName or 00100010).");
    }

    private static int Number(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw TesseraException.Invalid($"{name} must be a whole number of at least {min}, not '{value}'.");
}
