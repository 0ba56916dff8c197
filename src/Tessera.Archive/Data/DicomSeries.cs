namespace Tessera.Archive.Data;

/// <summary>A DICOM series of a study and the scan it became.</summary>
public sealed class DicomSeries
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid StudyId { get; set; }
    public Guid ScanId { get; set; }
    public required string SeriesInstanceUid { get; set; }
    public string? Modality { get; set; }
    public int? SeriesNumber { get; set; }
    public string? SeriesDescription { get; set; }
    public string? SeriesDate { get; set; }
    public string? SeriesTime { get; set; }
    public string? BodyPartExamined { get; set; }
    public DateTime CreatedAt { get; set; }
}
