using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Tessera.Archive.Data;

internal sealed class ToolConfiguration : IEntityTypeConfiguration<Tool>
{
    public void Configure(EntityTypeBuilder<Tool> b)
    {
        b.ToTable("tools");
        b.Property(x => x.Name).HasMaxLength(64);
        b.Property(x => x.Version).HasMaxLength(64);
        b.Property(x => x.AssessmentType).HasMaxLength(128);
        b.Property(x => x.ContainerImage).HasMaxLength(512);
        b.Property(x => x.DeprecationNote).HasMaxLength(1024);
        b.HasIndex(x => new { x.Name, x.Version }).IsUnique();
        b.HasIndex(x => x.ProjectId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobConfiguration : IEntityTypeConfiguration<Job>
{
    public void Configure(EntityTypeBuilder<Job> b)
    {
        b.ToTable("jobs");
        b.Property(x => x.Target).HasMaxLength(512);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.Executor).HasMaxLength(32);
        b.Property(x => x.ExecutorId).HasMaxLength(128);
        b.Property(x => x.Reason).HasMaxLength(2048);
        b.Property(x => x.LeaseOwner).HasMaxLength(128);
        b.HasIndex(x => new { x.State, x.NotBefore });
        b.HasIndex(x => new { x.ProjectId, x.CreatedAt });
        b.HasIndex(x => x.SessionId);
        b.HasIndex(x => x.ScanId);
        b.HasIndex(x => x.ToolId);
        b.HasIndex(x => x.BatchId);
        b.HasIndex(x => x.TriggerId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Tool>().WithMany().HasForeignKey(x => x.ToolId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Scan>().WithMany().HasForeignKey(x => x.ScanId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobEventConfiguration : IEntityTypeConfiguration<JobEvent>
{
    public void Configure(EntityTypeBuilder<JobEvent> b)
    {
        b.ToTable("job_events");
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.Detail).HasMaxLength(2048);
        b.HasIndex(x => x.JobId);
        b.HasOne<Job>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class JobLogChunkConfiguration : IEntityTypeConfiguration<JobLogChunk>
{
    public void Configure(EntityTypeBuilder<JobLogChunk> b)
    {
        b.ToTable("job_log");
        b.HasIndex(x => new { x.JobId, x.Id });
        b.HasOne<Job>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AssessmentTypeConfiguration : IEntityTypeConfiguration<AssessmentType>
{
    public void Configure(EntityTypeBuilder<AssessmentType> b)
    {
        b.ToTable("assessment_types");
        b.HasKey(x => x.Name);
        b.Property(x => x.Name).HasMaxLength(128);
        b.Property(x => x.Description).HasMaxLength(1024);
    }
}

internal sealed class AssessmentConfiguration : IEntityTypeConfiguration<Assessment>
{
    public void Configure(EntityTypeBuilder<Assessment> b)
    {
        b.ToTable("assessments");
        b.Property(x => x.Type).HasMaxLength(128);
        b.Property(x => x.ToolName).HasMaxLength(64);
        b.Property(x => x.ToolVersion).HasMaxLength(64);
        b.HasIndex(x => new { x.ProjectId, x.Type });
        b.HasIndex(x => x.SessionId);
        b.HasIndex(x => x.ScanId);
        b.HasIndex(x => x.JobId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Subject>().WithMany().HasForeignKey(x => x.SubjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Session>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Scan>().WithMany().HasForeignKey(x => x.ScanId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AssessmentType>().WithMany().HasForeignKey(x => x.Type).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Job>().WithMany().HasForeignKey(x => x.JobId).OnDelete(DeleteBehavior.SetNull);
    }
}

internal sealed class TriggerRuleConfiguration : IEntityTypeConfiguration<TriggerRule>
{
    public void Configure(EntityTypeBuilder<TriggerRule> b)
    {
        b.ToTable("trigger_rules");
        b.Property(x => x.Name).HasMaxLength(64);
        b.Property(x => x.Event).HasMaxLength(16);
        b.Property(x => x.FileGlob).HasMaxLength(512);
        b.Property(x => x.Level).HasMaxLength(16);
        b.Property(x => x.SessionType).HasMaxLength(64);
        b.Property(x => x.Executor).HasMaxLength(32);
        b.HasIndex(x => new { x.ProjectId, x.Name }).IsUnique();
        b.HasIndex(x => x.ToolId);
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Tool>().WithMany().HasForeignKey(x => x.ToolId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TriggerFiringConfiguration : IEntityTypeConfiguration<TriggerFiring>
{
    public void Configure(EntityTypeBuilder<TriggerFiring> b)
    {
        b.ToTable("trigger_firings");
        b.Property(x => x.Key).HasMaxLength(256);
        b.Property(x => x.Skipped).HasMaxLength(1024);
        b.HasIndex(x => new { x.RuleId, x.Key }).IsUnique();
        b.HasOne<TriggerRule>().WithMany().HasForeignKey(x => x.RuleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class BatchConfiguration : IEntityTypeConfiguration<Batch>
{
    public void Configure(EntityTypeBuilder<Batch> b)
    {
        b.ToTable("batches");
        b.Property(x => x.Selection).HasMaxLength(1024);
        b.HasIndex(x => new { x.ProjectId, x.CreatedAt });
        b.HasOne<Project>().WithMany().HasForeignKey(x => x.ProjectId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Tool>().WithMany().HasForeignKey(x => x.ToolId).OnDelete(DeleteBehavior.Restrict);
    }
}
