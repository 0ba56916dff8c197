using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Archive.Data;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> b)
    {
        b.ToTable("users");
        b.Property(x => x.Username).HasMaxLength(64);
        b.Property(x => x.Email).HasMaxLength(256);
        b.Property(x => x.PasswordHash).HasMaxLength(256);
        b.HasIndex(x => x.Username).IsUnique();
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("api_tokens");
        b.Property(x => x.Name).HasMaxLength(128);
        b.Property(x => x.SecretHash).HasMaxLength(64);
        b.HasIndex(x => x.SecretHash).IsUnique();
        b.HasIndex(x => x.UserId);
        b.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        // No foreign key to jobs (SQLite cannot add one to an existing table): a job's token is scoped
        // to the job's project, so it goes with the project, and the job removes it when it ends.
        b.HasIndex(x => x.JobId);
    }
}

internal sealed class ProjectConfiguration : IEntityTypeConfiguration<Project>
{
    public void Configure(EntityTypeBuilder<Project> b)
    {
        b.ToTable("projects");
        b.Property(x => x.Slug).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(256);
        b.Property(x => x.DicomSettings).HasMaxLength(4096);
        b.Property(x => x.DicomAeTitle).HasMaxLength(16);
        b.Property(x => x.JobExecutor).HasMaxLength(32);
        b.HasIndex(x => x.Slug).IsUnique();
        b.HasIndex(x => x.DicomAeTitle).IsUnique();
    }
}

internal sealed class ProjectMemberConfiguration : IEntityTypeConfiguration<ProjectMember>
{
    public void Configure(EntityTypeBuilder<ProjectMember> b)
    {
        b.ToTable("project_members");
        b.HasKey(x => new { x.ProjectId, x.UserId });
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => x.UserId);
        b.HasOne<Project>().WithMany(p => p.Members).HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SubjectConfiguration : IEntityTypeConfiguration<Subject>
{
    public void Configure(EntityTypeBuilder<Subject> b)
    {
        b.ToTable("subjects");
        b.Property(x => x.Label).HasMaxLength(64);
        b.HasIndex(x => new { x.ProjectId, x.Label }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> b)
    {
        b.ToTable("sessions");
        b.Property(x => x.Label).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(64);
        b.HasIndex(x => new { x.SubjectId, x.Label }).IsUnique();
        b.HasIndex(x => x.ProjectId);
        b.HasOne<Subject>().WithMany().HasForeignKey(x => x.SubjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ScanConfiguration : IEntityTypeConfiguration<Scan>
{
    public void Configure(EntityTypeBuilder<Scan> b)
    {
        b.ToTable("scans");
        b.Property(x => x.Label).HasMaxLength(64);
        b.Property(x => x.Type).HasMaxLength(64);
        b.Property(x => x.Quality).HasConversion<string>().HasMaxLength(16);
        b.HasIndex(x => new { x.SessionId, x.Label }).IsUnique();
        b.HasIndex(x => x.ProjectId);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ResourceConfiguration : IEntityTypeConfiguration<Resource>
{
    public void Configure(EntityTypeBuilder<Resource> b)
    {
        b.ToTable("resources");
        b.Property(x => x.Label).HasMaxLength(64);
        b.HasIndex(x => new { x.OwnerId, x.Label }).IsUnique();
        b.HasIndex(x => x.ProjectId);
        b.HasIndex(x => x.SubjectId);
        b.HasIndex(x => x.SessionId);
        b.HasIndex(x => x.ScanId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subject>().WithMany().HasForeignKey(x => x.SubjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Scan>().WithMany().HasForeignKey(x => x.ScanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class StoredFileConfiguration : IEntityTypeConfiguration<StoredFile>
{
    public void Configure(EntityTypeBuilder<StoredFile> b)
    {
        b.ToTable("files");
        b.Property(x => x.Path).HasMaxLength(1024);
        b.Property(x => x.Sha256).HasMaxLength(64);
        b.Property(x => x.MediaType).HasMaxLength(128);
        b.HasIndex(x => new { x.ResourceId, x.Path }).IsUnique();
        b.HasIndex(x => x.Sha256);
        b.HasIndex(x => x.ProjectId);
        b.HasOne<Resource>().WithMany().HasForeignKey(x => x.ResourceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BlobConfiguration : IEntityTypeConfiguration<Blob>
{
    public void Configure(EntityTypeBuilder<Blob> b)
    {
        b.ToTable("blobs");
        b.HasKey(x => x.Key);
        b.Property(x => x.Key).HasMaxLength(64);
    }
}

internal sealed class ChangeConfiguration : IEntityTypeConfiguration<Change>
{
    public void Configure(EntityTypeBuilder<Change> b)
    {
        b.ToTable("changes");
        b.HasKey(x => x.Sequence);
        b.Property(x => x.Kind).HasMaxLength(64);
        b.Property(x => x.Path).HasMaxLength(1024);
        b.HasIndex(x => x.ProjectId);
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.Property(x => x.Username).HasMaxLength(64);
        b.Property(x => x.Action).HasMaxLength(128);
        b.Property(x => x.Project).HasMaxLength(64);
        b.Property(x => x.Target).HasMaxLength(2048);
        b.Property(x => x.ClientAddress).HasMaxLength(64);
        b.HasIndex(x => x.At);
        b.HasIndex(x => new { x.Project, x.At });
    }
}

internal sealed class UploadConfiguration : IEntityTypeConfiguration<Upload>
{
    public void Configure(EntityTypeBuilder<Upload> b)
    {
        b.ToTable("uploads");
        b.Property(x => x.Subject).HasMaxLength(64);
        b.Property(x => x.Session).HasMaxLength(64);
        b.Property(x => x.Scan).HasMaxLength(64);
        b.Property(x => x.Resource).HasMaxLength(64);
        b.Property(x => x.Path).HasMaxLength(1024);
        b.Property(x => x.MediaType).HasMaxLength(256);
        b.Property(x => x.Metadata).HasMaxLength(4096);
        b.HasIndex(x => x.ExpiresAt);
        b.HasIndex(x => x.ProjectId);
        b.HasIndex(x => x.UserId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DerivedImageConfiguration : IEntityTypeConfiguration<DerivedImage>
{
    public void Configure(EntityTypeBuilder<DerivedImage> b)
    {
        b.ToTable("derived_images");
        b.HasKey(x => new { x.SourceKey, x.Kind });
        b.Property(x => x.SourceKey).HasMaxLength(64);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.BlobKey).HasMaxLength(64);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.Error).HasMaxLength(1024);
        b.HasIndex(x => x.BlobKey);
    }
}

internal sealed class PseudonymConfiguration : IEntityTypeConfiguration<Pseudonym>
{
    public void Configure(EntityTypeBuilder<Pseudonym> b)
    {
        b.ToTable("pseudonyms");
        b.Property(x => x.Lookup).HasMaxLength(64);
        b.Property(x => x.Label).HasMaxLength(64);
        b.Property(x => x.PatientId).HasMaxLength(256);
        b.Property(x => x.IssuerOfPatientId).HasMaxLength(256);
        b.Property(x => x.StudyInstanceUid).HasMaxLength(64);
        // The unique indexes make concurrent imports of one new patient agree: the second insert fails and finds the first.
        b.HasIndex(x => new { x.ProjectId, x.Lookup }).IsUnique();
        b.HasIndex(x => new { x.ProjectId, x.Label }).IsUnique();
        b.HasIndex(x => new { x.ProjectId, x.Number }).IsUnique();
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
