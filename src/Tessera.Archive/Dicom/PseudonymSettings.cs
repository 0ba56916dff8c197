using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Dicom;

/// <summary>
/// How a de-identifying project names its patients. <c>counter</c> numbers them in order of arrival
/// through <see cref="Pattern"/> (placeholders {project} and {n}, {n:0000} zero-padded to four digits);
/// <c>hmac</c> derives the name from a keyed hash of the original PatientID and issuer, as
/// <see cref="Prefix"/> followed by base32 digits. Neither placeholder can carry anything of the original.
/// </summary>
public sealed record PseudonymSettings
{
    public const string Counter = "counter";
    public const string Hmac = "hmac";
    public const string DefaultPattern = "{project}-{n:0000}";
    public const string DefaultPrefix = "{project}-";

    /// <summary>The lengths of base32 digits a keyed-hash pseudonym tries in turn when a shorter one is taken (50, 80, 130 bits).</summary>
    public static readonly IReadOnlyList<int> HmacLengths = [10, 16, 26];

    /// <summary>The most digits {n} is given room for when a pattern's length is checked.</summary>
    private const int MaxCounterDigits = 9;

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public string Method { get; init; } = Counter;

    /// <summary>The counter's pattern; null for <see cref="DefaultPattern"/>.</summary>
    public string? Pattern { get; init; }

    /// <summary>The keyed hash's prefix ({project} allowed); null for <see cref="DefaultPrefix"/>.</summary>
    public string? Prefix { get; init; }

    [JsonIgnore]
    public string EffectivePattern => Pattern ?? DefaultPattern;

    [JsonIgnore]
    public string EffectivePrefix => Prefix ?? DefaultPrefix;

    /// <summary>Checks the method, and that every pseudonym it can make in project <paramref name="project"/> is a valid subject label.</summary>
    public void Validate(string project)
    {
        switch (Method)
        {
            case Counter:
                var parts = Parse(EffectivePattern, allowCounter: true, "pattern");
                if (parts.Count(p => p.Kind == PartKind.Counter) != 1)
                    throw TesseraException.Invalid($"The pseudonym pattern '{EffectivePattern}' must hold {{n}} (or {{n:0000}} for zero-padding) exactly once.");
                var longest = Render(parts.Where(p => p.Kind != PartKind.Counter).ToList(), project, 0).Length
                    + Math.Max(MaxCounterDigits, parts.First(p => p.Kind == PartKind.Counter).Width);
                if (longest > 64)
                    throw TesseraException.Invalid($"The pseudonym pattern '{EffectivePattern}' makes labels longer than 64 characters in project {project} once n has {MaxCounterDigits} digits.");
                CheckLabel(Render(parts, project, 1), "pattern", EffectivePattern);
                break;
            case Hmac:
                var prefix = Render(Parse(EffectivePrefix, allowCounter: false, "prefix"), project, 0);
                if (prefix.Length > 0)
                    CheckLabel(prefix, "prefix", EffectivePrefix);
                if (prefix.Length + HmacLengths[^1] > 64)
                    throw TesseraException.Invalid($"The pseudonym prefix '{EffectivePrefix}' leaves no room for the hash in a 64-character label in project {project}.");
                break;
            default:
                throw TesseraException.Invalid($"The pseudonym method is 'counter' or 'hmac', not '{Method}'.");
        }
    }

    /// <summary>The counter's pseudonym number <paramref name="n"/> in project <paramref name="project"/>.</summary>
    public string CounterLabel(string project, int n) => Render(Parse(EffectivePattern, allowCounter: true, "pattern"), project, n);

    /// <summary>The keyed hash's pseudonym: the prefix and the first <paramref name="length"/> base32 digits of <paramref name="mac"/>.</summary>
    public string HmacLabel(string project, ReadOnlySpan<byte> mac, int length) =>
        Render(Parse(EffectivePrefix, allowCounter: false, "prefix"), project, 0) + Base32(mac)[..length];

    /// <summary>RFC 4648 base32 without padding (letters and 2-7: a valid label, unambiguous when read aloud).</summary>
    public static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
            text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        return text.ToString();
    }

    private enum PartKind { Text, Project, Counter }

    private sealed record Part(PartKind Kind, string Text = "", int Width = 0);

    private static List<Part> Parse(string pattern, bool allowCounter, string what)
    {
        var parts = new List<Part>();
        var i = 0;
        while (i < pattern.Length)
        {
            var open = pattern.IndexOf('{', i);
            var closeBefore = pattern.IndexOf('}', i);
            if (closeBefore >= 0 && (open < 0 || closeBefore < open))
                throw TesseraException.Invalid($"The pseudonym {what} '{pattern}' has a '}}' without its '{{'.");
            if (open < 0)
            {
                parts.Add(new Part(PartKind.Text, pattern[i..]));
                break;
            }
            if (open > i)
                parts.Add(new Part(PartKind.Text, pattern[i..open]));
            var close = pattern.IndexOf('}', open);
            if (close < 0)
                throw TesseraException.Invalid($"The pseudonym {what} '{pattern}' has an unclosed '{{'.");
            var name = pattern[(open + 1)..close];
            if (name == "project")
                parts.Add(new Part(PartKind.Project));
            else if (allowCounter && name == "n")
                parts.Add(new Part(PartKind.Counter, Width: 1));
            else if (allowCounter && name.StartsWith("n:", StringComparison.Ordinal) && name.Length is > 2 and <= 2 + MaxCounterDigits && name[2..].All(c => c == '0'))
                parts.Add(new Part(PartKind.Counter, Width: name.Length - 2));
            else
            {
                throw TesseraException.Invalid(allowCounter
                    ? $"The pseudonym {what} '{pattern}' names '{{{name}}}': only {{project}}, {{n}} and {{n:0000}} (1 to {MaxCounterDigits} zeros) are placeholders."
                    : $"The pseudonym {what} '{pattern}' names '{{{name}}}': only {{project}} is a placeholder.");
            }
            i = close + 1;
        }
        return parts;
    }

    private static string Render(List<Part> parts, string project, int n)
    {
        var text = new StringBuilder();
        foreach (var part in parts)
        {
            text.Append(part.Kind switch
            {
                PartKind.Project => project,
                PartKind.Counter => n.ToString("D" + part.Width.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                _ => part.Text,
            });
        }
        return text.ToString();
    }

    private static void CheckLabel(string label, string what, string pattern)
    {
        if (!Labels.IsValid(label))
        {
            throw TesseraException.Invalid(
                $"The pseudonym {what} '{pattern}' makes '{label}', which is not a valid subject label: use letters, digits, '.', '_' or '-' around the placeholders.");
        }
    }
}
