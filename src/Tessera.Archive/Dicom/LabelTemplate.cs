using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Tessera.Dicom;
using Tessera.Dicom.Deidentification;
using Tessera.Dicom.Dictionary;

namespace Tessera.Archive.Dicom;

/// <summary>
/// Renders label templates such as "{StudyDate}_{AccessionNumber|StudyUidHash}" from a DICOM header:
/// each brace holds attribute keywords tried in turn; StudyUidHash is eight hex digits derived from
/// the StudyInstanceUID. The result is made a valid label.
/// </summary>
public static partial class LabelTemplate
{
    public static string Render(string template, DicomDataset dataset)
    {
        var text = new StringBuilder();
        var i = 0;
        while (i < template.Length)
        {
            var open = template.IndexOf('{', i);
            if (open < 0)
            {
                text.Append(template, i, template.Length - i);
                break;
            }
            var close = template.IndexOf('}', open);
            if (close < 0)
                throw TesseraException.Invalid($"The label template '{template}' has an unclosed '{{'.");
            text.Append(template, i, open - i);
            text.Append(Resolve(template[(open + 1)..close], dataset));
            i = close + 1;
        }
        return Sanitise(text.ToString());
    }

    /// <summary>Checks a template's keywords before it is saved.</summary>
    public static void Validate(string template)
    {
        foreach (var part in template.Split('{').Skip(1))
        {
            var close = part.IndexOf('}');
            if (close < 0)
                throw TesseraException.Invalid($"The label template '{template}' has an unclosed '{{'.");
            foreach (var keyword in part[..close].Split('|'))
            {
                if (keyword.Trim() != "StudyUidHash" && !DicomDictionary.TryGetTag(keyword.Trim(), out _))
                    throw TesseraException.Invalid($"The label template '{template}' names '{keyword}', which is not a DICOM keyword.");
            }
        }
    }

    /// <summary>
    /// Checks that a template of a de-identifying project uses only what the de-identified object holds
    /// and does not identify: StudyUidHash (of the remapped StudyInstanceUID), PatientID and PatientName (both
    /// the pseudonym), and attributes the profile keeps or remaps with these options. An attribute the
    /// profile removes, empties, replaces with a dummy or cleans (AccessionNumber, StudyID, dates without
    /// full dates retained, descriptions) is refused: its original is never used, so naming it is a mistake.
    /// </summary>
    public static void ValidateDeidentified(string template, DeidentificationOptions options, string what)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var part in template.Split('{').Skip(1))
        {
            var close = part.IndexOf('}');
            if (close < 0)
                continue;
            foreach (var keyword in part[..close].Split('|').Select(k => k.Trim()))
            {
                if (keyword is "StudyUidHash" or "PatientID" or "PatientName" || !DicomDictionary.TryGetTag(keyword, out var tag))
                    continue;
                if (options.ActionFor(tag) is { } action && action is not (DeidentificationAction.Keep or DeidentificationAction.Uid))
                {
                    throw TesseraException.Invalid(
                        $"The {what} template '{template}' names {keyword}, which de-identification ({options.Describe()}) {Verb(action)}: " +
                        "with de-identification on, a template may use only what the de-identified object keeps (StudyUidHash, PatientID or PatientName for the pseudonym, Modality, SeriesNumber, StudyDate with full dates retained…).");
                }
            }
        }
    }

    private static string Verb(DeidentificationAction action) => action switch
    {
        DeidentificationAction.Remove => "removes",
        DeidentificationAction.Empty => "empties",
        DeidentificationAction.Dummy => "replaces with a dummy value",
        _ => "cleans of identifiers as best it can",
    };

    /// <summary>Any text as a label: characters outside [A-Za-z0-9._-] become '_', at most 64, never empty.</summary>
    public static string Sanitise(string text)
    {
        var label = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            var ok = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-';
            var next = ok ? c : '_';
            if (next == '_' && label.Length > 0 && label[^1] == '_')
                continue;
            label.Append(next);
        }
        var result = label.ToString().Trim('_', '.');
        if (result.Length > 64)
            result = result[..64].TrimEnd('_', '.');
        return result.Length == 0 ? "unknown" : result;
    }

    /// <summary>A date as ACR-NEMA 2.0 wrote it (YYYY.MM.DD), labelled as DICOM writes it now (YYYYMMDD).</summary>
    [GeneratedRegex(@"^\d{4}\.\d{2}\.\d{2}$")]
    private static partial Regex OldStyleDate();

    public static string StudyUidHash(string studyInstanceUid) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(studyInstanceUid)))[..8];

    private static string Resolve(string alternatives, DicomDataset dataset)
    {
        foreach (var keyword in alternatives.Split('|'))
        {
            var name = keyword.Trim();
            var value = name == "StudyUidHash"
                ? StudyUidHash(dataset.GetString(DicomTags.StudyInstanceUid) ?? "")
                : DicomDictionary.TryGetTag(name, out var tag) ? dataset.GetString(tag) : null;
            if (!string.IsNullOrWhiteSpace(value))
                return OldStyleDate().IsMatch(value.Trim()) ? value.Trim().Replace(".", "", StringComparison.Ordinal) : value.Trim();
        }
        return "";
    }
}
