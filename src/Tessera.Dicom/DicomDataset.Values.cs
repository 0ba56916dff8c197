using System.Buffers.Binary;
using System.Globalization;

namespace Tessera.Dicom;

public sealed partial class DicomDataset
{
    /// <summary>The whole value as text, decoded by the character set, trailing padding removed; null when absent.</summary>
    public string? GetString(DicomTag tag) =>
        Find(tag) is DicomValueElement value ? ValueText(value) : null;

    /// <summary>The value's parts (VM), each trimmed as PS3.5 6.2 allows; empty when absent or empty.</summary>
    public string[] GetStrings(DicomTag tag)
    {
        if (Find(tag) is not DicomValueElement value)
            return [];
        var text = ValueText(value);
        if (text.Length == 0)
            return [];
        var vr = ValueVr(value);
        if (DicomVrInfo.IsSingleValuedText(vr))
            return [text];
        if (DicomVrInfo.IsString(vr))
            return SplitValues(text).Select(v => TrimValue(v, vr)).ToArray();
        return NumbersAsText(value, vr);
    }

    /// <summary>The first value as text, or null.</summary>
    public string? GetFirstString(DicomTag tag)
    {
        var values = GetStrings(tag);
        return values.Length > 0 ? values[0] : null;
    }

    /// <summary>An integer from a binary (US, SS, UL, SL) or IS value, or null when absent or unparseable.</summary>
    public long? GetInteger(DicomTag tag, int index = 0)
    {
        if (Find(tag) is not DicomValueElement value)
            return null;
        var span = value.Bytes.Span;
        return ValueVr(value) switch
        {
            DicomVr.US when span.Length >= (index + 1) * 2 => BinaryPrimitives.ReadUInt16LittleEndian(span[(index * 2)..]),
            DicomVr.SS when span.Length >= (index + 1) * 2 => BinaryPrimitives.ReadInt16LittleEndian(span[(index * 2)..]),
            DicomVr.UL when span.Length >= (index + 1) * 4 => BinaryPrimitives.ReadUInt32LittleEndian(span[(index * 4)..]),
            DicomVr.SL when span.Length >= (index + 1) * 4 => BinaryPrimitives.ReadInt32LittleEndian(span[(index * 4)..]),
            DicomVr.IS or DicomVr.DS => ParseInteger(GetStrings(tag).ElementAtOrDefault(index)),
            _ => null,
        };
    }

    public DicomSequence? GetSequence(DicomTag tag) => Find(tag) as DicomSequence;

    /// <summary>Sets a string value, encoded in this dataset's character set and padded to even length.</summary>
    public void SetString(DicomTag tag, DicomVr vr, string value)
    {
        var bytes = CharacterSet.Encode(value, vr);
        Set(new DicomValueElement(tag, vr, Pad(bytes, vr)));
    }

    /// <summary>Sets a string value with the dictionary's VR.</summary>
    public void SetString(DicomTag tag, string value) =>
        SetString(tag, Dictionary.DicomDictionary.Find(tag)?.Vrs[0] ?? DicomVr.UN, value);

    public void SetUInt16(DicomTag tag, params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        Set(new DicomValueElement(tag, DicomVr.US, bytes));
    }

    /// <summary>Pads a value to even length with the VR's padding byte (PS3.5 7.1.1).</summary>
    public static byte[] Pad(byte[] bytes, DicomVr vr)
    {
        if (bytes.Length % 2 == 0)
            return bytes;
        var padded = new byte[bytes.Length + 1];
        bytes.CopyTo(padded, 0);
        padded[^1] = DicomVrInfo.PaddingByte(vr);
        return padded;
    }

    internal string ValueText(DicomValueElement value)
    {
        var vr = ValueVr(value);
        if (!DicomVrInfo.IsString(vr))
            return string.Join('\\', NumbersAsText(value, vr));
        var text = CharacterSet.Decode(value.Bytes.Span, vr);
        return TrimValue(text, vr);
    }

    /// <summary>
    /// The VR to interpret a value by: its own, or for a standard attribute that arrived as UN (an
    /// implicit VR hop on its way here) the dictionary's, whose bytes it carries (PS3.5 6.2.2).
    /// </summary>
    public static DicomVr ValueVr(DicomElement element)
    {
        if (element.Vr != DicomVr.UN)
            return element.Vr;
        if (element.Tag.IsPrivateCreator)
            return DicomVr.LO;
        var known = element.Tag.IsPrivate ? null : Dictionary.DicomDictionary.Find(element.Tag);
        return known is null || known.ImplicitVr == DicomVr.SQ ? DicomVr.UN : known.ImplicitVr;
    }

    /// <summary>Removes padding: trailing NULs for UI, trailing spaces for text, leading spaces too where PS3.5 6.2 calls them insignificant.</summary>
    internal static string TrimValue(string text, DicomVr vr) => vr switch
    {
        DicomVr.UI => text.TrimEnd('\0', ' '),
        DicomVr.LT or DicomVr.ST or DicomVr.UT or DicomVr.UR => text.TrimEnd(' ', '\0'),
        DicomVr.AE or DicomVr.CS or DicomVr.DS or DicomVr.IS or DicomVr.LO or DicomVr.SH or DicomVr.AS
            or DicomVr.DA or DicomVr.TM or DicomVr.DT => text.Trim(' ', '\0'),
        _ => text.TrimEnd(' ', '\0'),
    };

    private static string[] NumbersAsText(DicomValueElement value, DicomVr vr)
    {
        var span = value.Bytes.Span;
        // AT is a pair of 16-bit numbers (group, element), swapped as two words but read as one value.
        var size = vr == DicomVr.AT ? 4 : DicomVrInfo.WordSize(vr);
        if (size == 1 || vr is DicomVr.OW or DicomVr.OL or DicomVr.OF or DicomVr.OD or DicomVr.OV)
            return [];
        var n = span.Length / size;
        var values = new string[n];
        for (var i = 0; i < n; i++)
        {
            var part = span.Slice(i * size, size);
            values[i] = vr switch
            {
                DicomVr.US => BinaryPrimitives.ReadUInt16LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.SS => BinaryPrimitives.ReadInt16LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.UL => BinaryPrimitives.ReadUInt32LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.SL => BinaryPrimitives.ReadInt32LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.UV => BinaryPrimitives.ReadUInt64LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.SV => BinaryPrimitives.ReadInt64LittleEndian(part).ToString(CultureInfo.InvariantCulture),
                DicomVr.FL => BinaryPrimitives.ReadSingleLittleEndian(part).ToString("R", CultureInfo.InvariantCulture),
                DicomVr.FD => BinaryPrimitives.ReadDoubleLittleEndian(part).ToString("R", CultureInfo.InvariantCulture),
                DicomVr.AT => new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(part), BinaryPrimitives.ReadUInt16LittleEndian(part[2..])).ToHex(),
                _ => "",
            };
        }
        return values;
    }

    private static long? ParseInteger(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
            return n;
        return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d)
            ? (long)d
            : null;
    }
}
