namespace Tessera.Dicom;

/// <summary>What the encoding rules of PS3.5 need to know about each value representation.</summary>
public static class DicomVrInfo
{
    /// <summary>The VR from its two letters as they appear in an explicit VR header; false for anything else.</summary>
    public static bool TryParse(byte first, byte second, out DicomVr vr)
    {
        vr = (DicomVr)((first << 8) | second);
        return IsKnown(vr);
    }

    public static bool TryParse(string? text, out DicomVr vr)
    {
        vr = DicomVr.None;
        return text is { Length: 2 } && TryParse((byte)text[0], (byte)text[1], out vr);
    }

    public static bool IsKnown(DicomVr vr) => vr switch
    {
        DicomVr.AE or DicomVr.AS or DicomVr.AT or DicomVr.CS or DicomVr.DA or DicomVr.DS or DicomVr.DT
            or DicomVr.FL or DicomVr.FD or DicomVr.IS or DicomVr.LO or DicomVr.LT or DicomVr.OB or DicomVr.OD
            or DicomVr.OF or DicomVr.OL or DicomVr.OV or DicomVr.OW or DicomVr.PN or DicomVr.SH or DicomVr.SL
            or DicomVr.SQ or DicomVr.SS or DicomVr.ST or DicomVr.SV or DicomVr.TM or DicomVr.UC or DicomVr.UI
            or DicomVr.UL or DicomVr.UN or DicomVr.UR or DicomVr.US or DicomVr.UT or DicomVr.UV => true,
        _ => false,
    };

    /// <summary>Explicit VR headers of these VRs have two reserved bytes and a 32-bit length (PS3.5 7.1.2).</summary>
    public static bool HasLongLength(DicomVr vr) => vr switch
    {
        DicomVr.OB or DicomVr.OD or DicomVr.OF or DicomVr.OL or DicomVr.OV or DicomVr.OW or DicomVr.SQ
            or DicomVr.SV or DicomVr.UC or DicomVr.UN or DicomVr.UR or DicomVr.UT or DicomVr.UV => true,
        _ => false,
    };

    /// <summary>The size of the numbers a value is made of, which byte order applies to; 1 for text and bytes.</summary>
    public static int WordSize(DicomVr vr) => vr switch
    {
        DicomVr.US or DicomVr.SS or DicomVr.OW or DicomVr.AT => 2,
        DicomVr.UL or DicomVr.SL or DicomVr.FL or DicomVr.OL or DicomVr.OF => 4,
        DicomVr.FD or DicomVr.OD or DicomVr.SV or DicomVr.UV or DicomVr.OV => 8,
        _ => 1,
    };

    /// <summary>Values that are character strings.</summary>
    public static bool IsString(DicomVr vr) => vr switch
    {
        DicomVr.AE or DicomVr.AS or DicomVr.CS or DicomVr.DA or DicomVr.DS or DicomVr.DT or DicomVr.IS
            or DicomVr.LO or DicomVr.LT or DicomVr.PN or DicomVr.SH or DicomVr.ST or DicomVr.TM or DicomVr.UC
            or DicomVr.UI or DicomVr.UR or DicomVr.UT => true,
        _ => false,
    };

    /// <summary>Strings whose bytes follow the Specific Character Set (PS3.5 6.1.2.3); the others are ASCII.</summary>
    public static bool UsesCharacterSet(DicomVr vr) => vr switch
    {
        DicomVr.SH or DicomVr.LO or DicomVr.ST or DicomVr.LT or DicomVr.UC or DicomVr.UT or DicomVr.PN => true,
        _ => false,
    };

    /// <summary>Text VRs whose single value may contain backslashes (PS3.5 6.4: VM is always 1).</summary>
    public static bool IsSingleValuedText(DicomVr vr) => vr is DicomVr.LT or DicomVr.ST or DicomVr.UT or DicomVr.UR;

    /// <summary>Binary VRs that DICOMweb hands out as bulk data.</summary>
    public static bool IsBinary(DicomVr vr) => vr switch
    {
        DicomVr.OB or DicomVr.OD or DicomVr.OF or DicomVr.OL or DicomVr.OV or DicomVr.OW or DicomVr.UN => true,
        _ => false,
    };

    /// <summary>The byte that pads a value to even length: NUL for UI and OB, space for strings (PS3.5 6.2).</summary>
    public static byte PaddingByte(DicomVr vr) => IsString(vr) && vr != DicomVr.UI ? (byte)' ' : (byte)0;

    public static string ToText(DicomVr vr) =>
        vr == DicomVr.None ? "" : string.Create(2, vr, static (span, v) =>
        {
            span[0] = (char)((ushort)v >> 8);
            span[1] = (char)((ushort)v & 0xFF);
        });
}
