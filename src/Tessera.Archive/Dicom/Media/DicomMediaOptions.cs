using System.ComponentModel.DataAnnotations;

namespace Tessera.Archive.Dicom.Media;

/// <summary>Bounds of a DICOM media export (PS3.10 file-set as a zip); section <c>Dicom:Media</c>.</summary>
public sealed class DicomMediaOptions
{
    public const string SectionName = "Dicom:Media";

    /// <summary>Instances one export may hold: its DICOMDIR is built in memory, about 300 bytes a record.</summary>
    [Range(1, 1_000_000)]
    public int MaxInstances { get; set; } = 100_000;

    /// <summary>Bytes of instances one export may hold; 0 for no limit (the zip is streamed, never held whole).</summary>
    [Range(0, long.MaxValue)]
    public long MaxBytes { get; set; }

    /// <summary>File-set ID (0004,1130) of the DICOMDIRs written: up to 16 of A–Z, 0–9, space and underscore.</summary>
    [RegularExpression("^[A-Z0-9_ ]{0,16}$")]
    public string FileSetId { get; set; } = "TESSERA";
}
