namespace Tessera.Archive.Data;

/// <summary>A stored DICOM instance: the file that holds it and what instance-level queries need.</summary>
public sealed class DicomInstance
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SeriesId { get; set; }
    public Guid FileId { get; set; }
    public required string SopInstanceUid { get; set; }
    public required string SopClassUid { get; set; }
    public required string TransferSyntaxUid { get; set; }
    public int? InstanceNumber { get; set; }
    public int? NumberOfFrames { get; set; }
    public int? Rows { get; set; }
    public int? Columns { get; set; }
    public DateTime CreatedAt { get; set; }
}
