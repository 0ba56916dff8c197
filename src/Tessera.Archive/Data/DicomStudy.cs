namespace Tessera.Archive.Data;

/// <summary>A DICOM study of a project and the session it became; the attributes study-level queries match on.</summary>
public sealed class DicomStudy
{
    public Guid Id { get; set; }
    public Guid ProjectId { get; set; }
    public Guid SessionId { get; set; }
    public required string StudyInstanceUid { get; set; }
    public string? PatientId { get; set; }
    public string? PatientName { get; set; }
    public string? PatientBirthDate { get; set; }
    public string? PatientSex { get; set; }
    /// <summary>YYYYMMDD as in DICOM, so that ranges compare as text.</summary>
    public string? StudyDate { get; set; }
    public string? StudyTime { get; set; }
    public string? AccessionNumber { get; set; }
    public string? StudyId { get; set; }
    public string? StudyDescription { get; set; }
    public string? ReferringPhysicianName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}
