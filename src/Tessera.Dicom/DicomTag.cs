using System.Globalization;

namespace Tessera.Dicom;

/// <summary>A data element tag (PS3.5 7.1): group in the high 16 bits, element in the low 16.</summary>
public readonly record struct DicomTag(uint Value) : IComparable<DicomTag>
{
    public DicomTag(ushort group, ushort element) : this(((uint)group << 16) | element) { }

    public ushort Group => (ushort)(Value >> 16);
    public ushort Element => (ushort)Value;

    /// <summary>Odd groups other than 1, 3, 5, 7 and FFFF hold private data elements (PS3.5 7.8).</summary>
    public bool IsPrivate => (Group & 1) == 1 && Group > 7 && Group != 0xFFFF;

    /// <summary>(gggg,0010-00FF) in a private group reserves a block for its creator.</summary>
    public bool IsPrivateCreator => IsPrivate && Element is >= 0x10 and <= 0xFF;

    /// <summary>The private creator element that reserves this private element's block.</summary>
    public DicomTag PrivateCreator => new(Group, (ushort)(Element >> 8));

    public bool IsGroupLength => Element == 0;

    public static readonly DicomTag Item = new(0xFFFEE000);
    public static readonly DicomTag ItemDelimitation = new(0xFFFEE00D);
    public static readonly DicomTag SequenceDelimitation = new(0xFFFEE0DD);

    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;
    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;
    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;
    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    /// <summary>"(0010,0010)".</summary>
    public override string ToString() => $"({Group:X4},{Element:X4})";

    /// <summary>"00100010", as the DICOM JSON model and DICOMweb query keys write tags.</summary>
    public string ToHex() => Value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>Parses "00100010", "0010,0010", "(0010,0010)" or a keyword such as "PatientName".</summary>
    public static bool TryParse(string? text, out DicomTag tag)
    {
        tag = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var s = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", "", StringComparison.Ordinal);
        if (s.Length == 8 && uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            tag = new DicomTag(value);
            return true;
        }
        if (Dictionary.DicomDictionary.TryGetTag(text.Trim(), out tag))
            return true;
        return false;
    }
}
