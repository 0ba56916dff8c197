using System.Text;

namespace Tessera.Dicom.Text;

/// <summary>
/// Decodes strings with ISO 2022 code extensions (PS3.5 6.1.2.5.3): escape sequences switch the sets
/// designated to G0 and G1; the initial sets come back at line ends, control characters and, in
/// person names, at the component (^) and group (=) delimiters.
/// </summary>
internal static class Iso2022Decoder
{
    private const byte Esc = 0x1B;

    public static string Decode(ReadOnlySpan<byte> bytes, CharacterSetTerm? initial, bool personName)
    {
        var (initialG0, initialG1) = InitialSets(initial);
        var g0 = initialG0;
        var g1 = initialG1;
        var text = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var b = bytes[i];
            if (b == Esc)
            {
                var designation = MatchEscape(bytes[i..]);
                if (designation is null)
                {
                    // An escape sequence we do not know: keep the byte visible rather than guessing.
                    text.Append('\uFFFD');
                    i++;
                    continue;
                }
                if (designation.Element is CodeElement.G0 or CodeElement.G0Double)
                    g0 = designation;
                else
                    g1 = designation;
                i += designation.Escape.Length;
                continue;
            }
            var start = i;
            if (b < 0x80)
            {
                if (g0 is { Element: CodeElement.G0Double })
                {
                    while (i < bytes.Length && bytes[i] is > 0x20 and < 0x80)
                        i++;
                    AppendDoubleG0(text, bytes[start..i], g0);
                    if (i < bytes.Length && bytes[i] < 0x21 && bytes[i] != Esc)
                    {
                        // A control character or space after two-byte text: the initial sets return.
                        text.Append((char)bytes[i]);
                        g0 = initialG0;
                        g1 = initialG1;
                        i++;
                    }
                    continue;
                }
                while (i < bytes.Length && bytes[i] < 0x80 && bytes[i] != Esc && !IsReset(bytes[i], personName))
                    i++;
                text.Append(Encoding.ASCII.GetString(bytes[start..i]));
                if (i < bytes.Length && IsReset(bytes[i], personName))
                {
                    text.Append((char)bytes[i]);
                    g0 = initialG0;
                    g1 = initialG1;
                    i++;
                }
                continue;
            }
            while (i < bytes.Length && bytes[i] >= 0x80)
                i++;
            AppendG1(text, bytes[start..i], g1);
        }
        return text.ToString();
    }

    private static (CharacterSetTerm? G0, CharacterSetTerm? G1) InitialSets(CharacterSetTerm? initial) => initial switch
    {
        { Element: CodeElement.G0 or CodeElement.G0Double } => (initial, null),
        { Element: CodeElement.G1 or CodeElement.G1Double } => (null, initial),
        _ => (null, null),
    };

    private static bool IsReset(byte b, bool personName) =>
        b is 0x0D or 0x0A or 0x0C or 0x09 or (byte)'\\' || (personName && b is (byte)'^' or (byte)'=');

    private static CharacterSetTerm? MatchEscape(ReadOnlySpan<byte> bytes)
    {
        foreach (var term in CharacterSetTerm.Designations)
        {
            if (bytes.StartsWith(term.Escape))
                return term;
        }
        return null;
    }

    private static void AppendDoubleG0(StringBuilder text, ReadOnlySpan<byte> run, CharacterSetTerm g0)
    {
        // JIS X 0208 and 0212 in G0 are the 7-bit forms of EUC-JP's code sets 1 and 3 (JIS X 0212 with SS3).
        var euc = new byte[run.Length + run.Length / 2];
        var n = 0;
        for (var j = 0; j + 1 < run.Length; j += 2)
        {
            if (g0.CodePage == CharacterSetTerm.JisX0212)
                euc[n++] = 0x8F;
            euc[n++] = (byte)(run[j] | 0x80);
            euc[n++] = (byte)(run[j + 1] | 0x80);
        }
        text.Append(CharacterSetTerm.Resolve(CharacterSetTerm.EucJp).GetString(euc, 0, n));
        if (run.Length % 2 == 1)
            text.Append('\uFFFD');
    }

    private static void AppendG1(StringBuilder text, ReadOnlySpan<byte> run, CharacterSetTerm? g1)
    {
        switch (g1)
        {
            case null:
                text.Append(Encoding.Latin1.GetString(run));
                break;
            case { CodePage: CharacterSetTerm.JisX0201 }:
                // JIS X 0201 katakana 0xA1-0xDF are the half-width forms U+FF61-U+FF9F.
                foreach (var b in run)
                    text.Append(b is >= 0xA1 and <= 0xDF ? (char)(0xFF61 + b - 0xA1) : '\uFFFD');
                break;
            default:
                text.Append(g1.Encoding!.GetString(run));
                break;
        }
    }
}
