using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Archive.Data;

internal sealed class DicomStudyConfiguration : IEntityTypeConfiguration<DicomStudy>
{
    public void Configure(EntityTypeBuilder<DicomStudy> b)
    {
        b.ToTable("dicom_studies");
        b.Property(x => x.StudyInstanceUid).HasMaxLength(64);
        b.Property(x => x.PatientId).HasMaxLength(64);
        b.Property(x => x.PatientName).HasMaxLength(324);
        b.Property(x => x.PatientBirthDate).HasMaxLength(16);
        b.Property(x => x.PatientSex).HasMaxLength(16);
        b.Property(x => x.StudyDate).HasMaxLength(16);
        b.Property(x => x.StudyTime).HasMaxLength(32);
        b.Property(x => x.AccessionNumber).HasMaxLength(64);
        b.Property(x => x.StudyId).HasMaxLength(64);
        b.Property(x => x.StudyDescription).HasMaxLength(324);
        b.Property(x => x.ReferringPhysicianName).HasMaxLength(324);
        b.HasIndex(x => new { x.ProjectId, x.StudyInstanceUid }).IsUnique();
        b.HasIndex(x => x.StudyInstanceUid);
        b.HasIndex(x => x.PatientId);
        b.HasIndex(x => x.StudyDate);
        b.HasIndex(x => x.AccessionNumber);
        b.HasIndex(x => x.SessionId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DicomSeriesConfiguration : IEntityTypeConfiguration<DicomSeries>
{
    public void Configure(EntityTypeBuilder<DicomSeries> b)
    {
        b.ToTable("dicom_series");
        b.Property(x => x.SeriesInstanceUid).HasMaxLength(64);
        b.Property(x => x.Modality).HasMaxLength(16);
        b.Property(x => x.SeriesDescription).HasMaxLength(324);
        b.Property(x => x.SeriesDate).HasMaxLength(16);
        b.Property(x => x.SeriesTime).HasMaxLength(32);
        b.Property(x => x.BodyPartExamined).HasMaxLength(64);
        b.HasIndex(x => new { x.ProjectId, x.SeriesInstanceUid }).IsUnique();
        b.HasIndex(x => x.SeriesInstanceUid);
        b.HasIndex(x => x.StudyId);
        b.HasIndex(x => x.ScanId);
        b.HasOne<DicomStudy>().WithMany().HasForeignKey(x => x.StudyId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Scan>().WithMany().HasForeignKey(x => x.ScanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DicomInstanceConfiguration : IEntityTypeConfiguration<DicomInstance>
{
    public void Configure(EntityTypeBuilder<DicomInstance> b)
    {
        b.ToTable("dicom_instances");
        b.Property(x => x.SopInstanceUid).HasMaxLength(64);
        b.Property(x => x.SopClassUid).HasMaxLength(64);
        b.Property(x => x.TransferSyntaxUid).HasMaxLength(64);
        b.HasIndex(x => new { x.ProjectId, x.SopInstanceUid }).IsUnique();
        b.HasIndex(x => x.SopInstanceUid);
        b.HasIndex(x => x.SeriesId);
        b.HasIndex(x => x.FileId).IsUnique();
        b.HasOne<DicomSeries>().WithMany().HasForeignKey(x => x.SeriesId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<StoredFile>().WithMany().HasForeignKey(x => x.FileId).OnDelete(DeleteBehavior.Cascade);
    }
}
