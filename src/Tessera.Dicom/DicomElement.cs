namespace Tessera.Dicom;

/// <summary>A data element of a dataset: a value, a sequence of items, or encapsulated pixel data.</summary>
public abstract class DicomElement(DicomTag tag, DicomVr vr)
{
    public DicomTag Tag { get; } = tag;

    public DicomVr Vr { get; } = vr;

    /// <summary>The value length as encoded, for values and defined-length sequences; -1 when undefined.</summary>
    public abstract long Length { get; }

    public override string ToString() => $"{Tag} {DicomVrInfo.ToText(Vr)}";
}
