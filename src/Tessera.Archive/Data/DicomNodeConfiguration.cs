using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Archive.Data;

internal sealed class DicomNodeConfiguration : IEntityTypeConfiguration<DicomNode>
{
    public void Configure(EntityTypeBuilder<DicomNode> b)
    {
        b.ToTable("dicom_nodes");
        b.HasKey(x => x.AeTitle);
        b.Property(x => x.AeTitle).HasMaxLength(16);
        b.Property(x => x.Host).HasMaxLength(255);
        b.Property(x => x.TlsServerName).HasMaxLength(255);
        b.HasIndex(x => x.ProjectId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.SetNull);
    }
}
