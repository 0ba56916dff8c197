namespace Tessera.Dicom.Dictionary;

/// <summary>One attribute of the data dictionary (PS3.6). <paramref name="Mask"/> keeps the tag's fixed bits for repeating groups.</summary>
public sealed record DicomDictionaryEntry(uint Tag, uint Mask, string Keyword, DicomVr[] Vrs, string Vm, bool Retired)
{
    /// <summary>The VR to assume in implicit VR encoding, where the attribute allows several (PS3.5 A.1: pixel data and LUTs are OW).</summary>
    public DicomVr ImplicitVr => Vrs.Length == 1 ? Vrs[0] : Array.IndexOf(Vrs, DicomVr.OW) >= 0 ? DicomVr.OW : Vrs[0];
}
