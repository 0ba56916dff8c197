using System.Text;

namespace Tessera.Dicom.Text;

/// <summary>
/// Decodes and encodes the character strings of a dataset by its Specific Character Set (0008,0005),
/// including ISO 2022 code extensions with escape sequences (PS3.5 6.1.2.5, Annexes H, I, J, K).
/// </summary>
public sealed class DicomCharacterSet
{
    private readonly CharacterSetTerm? _first;
    private readonly Encoding? _whole;

    /// <summary>The default repertoire (ISO 646). Bytes above 0x7F, which it does not allow, are read as Latin-1 rather than lost.</summary>
    public static readonly DicomCharacterSet Default = new([], null, null, false);

    private DicomCharacterSet(string[] terms, CharacterSetTerm? first, Encoding? whole, bool extensions)
    {
        Terms = terms;
        _first = first;
        _whole = whole;
        UsesCodeExtensions = extensions;
    }

    /// <summary>The defined terms as declared.</summary>
    public IReadOnlyList<string> Terms { get; }

    /// <summary>Terms this toolkit does not know; their strings are read with the default repertoire.</summary>
    public IReadOnlyList<string> UnknownTerms { get; private init; } = [];

    public bool UsesCodeExtensions { get; }

    public static DicomCharacterSet FromTerms(IReadOnlyList<string> values)
    {
        var terms = values.Select(v => v.Trim()).ToArray();
        if (terms.Length == 0 || terms.All(t => t.Length == 0))
            return Default;
        var unknown = terms.Where(t => t.Length > 0 && CharacterSetTerm.Find(t) is null).ToArray();
        var first = terms[0].Length == 0 ? null : CharacterSetTerm.Find(terms[0]);
        var extensions = terms.Length > 1 || terms[0].StartsWith("ISO 2022", StringComparison.OrdinalIgnoreCase);
        var whole = first is { Element: CodeElement.Whole } ? first.Encoding : null;
        return new DicomCharacterSet(terms, first, whole, extensions) { UnknownTerms = unknown };
    }

    /// <summary>Decodes a value's bytes, padding and all; callers trim what the VR pads with.</summary>
    public string Decode(ReadOnlySpan<byte> bytes, DicomVr vr)
    {
        if (bytes.IsEmpty)
            return "";
        if (!DicomVrInfo.UsesCharacterSet(vr) || IsAscii(bytes))
            return Encoding.Latin1.GetString(bytes);
        if (_whole is not null)
            return _whole.GetString(bytes);
        if (UsesCodeExtensions || bytes.Contains((byte)0x1B))
            return Iso2022Decoder.Decode(bytes, _first, vr == DicomVr.PN);
        return _first switch
        {
            { CodePage: CharacterSetTerm.JisX0201 } => Iso2022Decoder.Decode(bytes, _first, vr == DicomVr.PN),
            { Encoding: { } encoding } => encoding.GetString(bytes),
            _ => Encoding.Latin1.GetString(bytes),
        };
    }

    /// <summary>Encodes a string for this character set; throws when it cannot carry a character.</summary>
    public byte[] Encode(string text, DicomVr vr)
    {
        if (!DicomVrInfo.UsesCharacterSet(vr) || text.All(c => c < 0x80))
        {
            if (text.Any(c => c >= 0x80))
                throw new DicomException($"{DicomVrInfo.ToText(vr)} values allow only the default repertoire: '{text}'");
            return Encoding.ASCII.GetBytes(text);
        }
        var encoding = _whole ?? _first?.Encoding;
        if (encoding is null || _first is { Element: CodeElement.G0Double or CodeElement.G1Double })
            throw new DicomException($"'{text}' cannot be encoded in character set {string.Join('\\', Terms)}; use ISO_IR 192");
        var strict = Encoding.GetEncoding(encoding.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ReplacementFallback);
        try
        {
            return strict.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw new DicomException($"'{text}' cannot be encoded in character set {string.Join('\\', Terms)}; use ISO_IR 192");
        }
    }

    private static bool IsAscii(ReadOnlySpan<byte> bytes) => System.Text.Ascii.IsValid(bytes) && !bytes.Contains((byte)0x1B);
}
