using System.Text;

namespace Tessera.Dicom.Text;

/// <summary>How a term of Specific Character Set (PS3.3 C.12.1.1.2) maps onto an encoding and a code element.</summary>
internal enum CodeElement
{
    /// <summary>A whole encoding without code extensions (UTF-8, GB18030, GBK).</summary>
    Whole,
    /// <summary>A 94-character set designated to G0 (ASCII, JIS X 0201 romaji).</summary>
    G0,
    /// <summary>A 94x94 two-byte set designated to G0 (JIS X 0208, JIS X 0212).</summary>
    G0Double,
    /// <summary>A 96- or 94-character single-byte set designated to G1 (ISO 8859 parts, JIS X 0201 katakana, TIS 620).</summary>
    G1,
    /// <summary>A 94x94 two-byte set designated to G1 (KS X 1001, GB 2312).</summary>
    G1Double,
}

/// <summary>One defined term: its escape sequence (for ISO 2022), code element and .NET encoding.</summary>
internal sealed record CharacterSetTerm(string Term, byte[] Escape, CodeElement Element, int CodePage)
{
    public const int Ascii = 20127;
    public const int JisX0201 = -201;
    public const int EucJp = 51932;
    public const int JisX0212 = -212;

    private static readonly Lazy<bool> s_registered = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    });

    public Encoding? Encoding => CodePage > 0 ? Resolve(CodePage) : null;

    public static Encoding Resolve(int codePage)
    {
        _ = s_registered.Value;
        return Encoding.GetEncoding(codePage);
    }

    private static readonly Dictionary<string, CharacterSetTerm> s_terms = Build();

    public static CharacterSetTerm? Find(string term) =>
        s_terms.TryGetValue(Normalise(term), out var t) ? t : null;

    // Lenient with the spellings found in the field: "ISO_IR_100", "ISO-IR 100", "iso_ir 100".
    private static string Normalise(string term) =>
        term.Trim().ToUpperInvariant().Replace('_', ' ').Replace('-', ' ').Replace("ISO IR", "ISO_IR", StringComparison.Ordinal);

    private static Dictionary<string, CharacterSetTerm> Build()
    {
        var terms = new Dictionary<string, CharacterSetTerm>(StringComparer.Ordinal);
        void Add(string term, string escape, CodeElement element, int codePage) =>
            terms[term] = new CharacterSetTerm(term, Encoding.ASCII.GetBytes(escape), element, codePage);

        // Single-byte sets without code extensions: G0 is ASCII, G1 the set (PS3.3 Table C.12-2).
        (string Ir, string Escape, int CodePage)[] singleByte =
        [
            ("100", "-A", 28591), ("101", "-B", 28592), ("109", "-C", 28593), ("110", "-D", 28594),
            ("144", "-L", 28595), ("127", "-G", 28596), ("126", "-F", 28597), ("138", "-H", 28598),
            ("148", "-M", 28599), ("203", "-b", 28605), ("166", "-T", 874),
        ];
        foreach (var (ir, escape, codePage) in singleByte)
        {
            Add("ISO_IR " + ir, "\u001b" + escape, CodeElement.G1, codePage);
            Add("ISO 2022 IR " + ir, "\u001b" + escape, CodeElement.G1, codePage);
        }
        Add("ISO_IR 6", "\u001b(B", CodeElement.G0, Ascii);
        Add("ISO 2022 IR 6", "\u001b(B", CodeElement.G0, Ascii);
        Add("ISO_IR 13", "\u001b)I", CodeElement.G1, JisX0201);
        Add("ISO 2022 IR 13", "\u001b)I", CodeElement.G1, JisX0201);
        Add("ISO 2022 IR 87", "\u001b$B", CodeElement.G0Double, EucJp);
        Add("ISO 2022 IR 159", "\u001b$(D", CodeElement.G0Double, JisX0212);
        Add("ISO 2022 IR 149", "\u001b$)C", CodeElement.G1Double, 51949);
        Add("ISO 2022 IR 58", "\u001b$)A", CodeElement.G1Double, 936);
        // Sets without code extensions (PS3.3 Table C.12-5).
        Add("ISO_IR 192", "", CodeElement.Whole, 65001);
        Add("GB18030", "", CodeElement.Whole, 54936);
        Add("GBK", "", CodeElement.Whole, 936);
        return terms;
    }

    /// <summary>The escape sequences that ISO 2022 decoders recognise, whatever the declared terms (lenient with undeclared ones).</summary>
    public static IEnumerable<CharacterSetTerm> Designations
    {
        get
        {
            yield return s_terms["ISO 2022 IR 6"];
            yield return new CharacterSetTerm("ISO 2022 IR 14", "\u001b(J"u8.ToArray(), CodeElement.G0, JisX0201);
            foreach (var t in s_terms.Values)
            {
                if (t.Term.StartsWith("ISO 2022", StringComparison.Ordinal) && t.Term != "ISO 2022 IR 6")
                    yield return t;
            }
        }
    }
}
