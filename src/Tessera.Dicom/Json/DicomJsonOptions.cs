namespace Tessera.Dicom.Json;

/// <summary>How binary values are written in the DICOM JSON model (PS3.18 F.2.7).</summary>
public sealed record DicomJsonOptions
{
    public static readonly DicomJsonOptions Default = new();

    /// <summary>Binary values (OB, OW, UN, ...) up to this size are written inline as base64; larger ones by <see cref="BulkDataUri"/>.</summary>
    public long InlineBinaryThreshold { get; init; } = 1024;

    /// <summary>
    /// Gives the BulkDataURI of a value too large to inline, given its element and the path of
    /// sequence items that lead to it. Without it, such values are written with their VR only.
    /// </summary>
    public Func<DicomElement, IReadOnlyList<(DicomTag Sequence, int Item)>, string?>? BulkDataUri { get; init; }

    /// <summary>Tags to leave out at the top level (e.g. Pixel Data in QIDO answers).</summary>
    public IReadOnlySet<DicomTag>? Exclude { get; init; }
}
