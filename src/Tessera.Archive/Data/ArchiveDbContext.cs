using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Tessera.Archive.Data;

/// <summary>
/// The archive's index. Table and column names are snake_case on both providers so that the
/// hand-written migrations and the few raw SQL statements read the same everywhere.
/// </summary>
public sealed class ArchiveDbContext(DbContextOptions<ArchiveDbContext> options) : DbContext(options)
{
    private static readonly ValueConverter<DateTime, DateTime> s_utc =
        new(v => v, v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private static readonly ValueConverter<DateTime?, DateTime?> s_utcNullable =
        new(v => v, v => v == null ? null : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));

    public DbSet<User> Users => Set<User>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<Subject> Subjects => Set<Subject>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<Scan> Scans => Set<Scan>();
    public DbSet<Resource> Resources => Set<Resource>();
    public DbSet<StoredFile> Files => Set<StoredFile>();
    public DbSet<Blob> Blobs => Set<Blob>();
    public DbSet<Change> Changes => Set<Change>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Upload> Uploads => Set<Upload>();
    public DbSet<DicomStudy> DicomStudies => Set<DicomStudy>();
    public DbSet<DicomSeries> DicomSeries => Set<DicomSeries>();
    public DbSet<DicomInstance> DicomInstances => Set<DicomInstance>();
    public DbSet<DicomNode> DicomNodes => Set<DicomNode>();
    public DbSet<Tool> Tools => Set<Tool>();
    public DbSet<Job> Jobs => Set<Job>();
    public DbSet<JobEvent> JobEvents => Set<JobEvent>();
    public DbSet<JobLogChunk> JobLog => Set<JobLogChunk>();
    public DbSet<AssessmentType> AssessmentTypes => Set<AssessmentType>();
    public DbSet<Assessment> Assessments => Set<Assessment>();
    public DbSet<TriggerRule> TriggerRules => Set<TriggerRule>();
    public DbSet<TriggerFiring> TriggerFirings => Set<TriggerFiring>();
    public DbSet<Batch> Batches => Set<Batch>();
    public DbSet<DerivedImage> DerivedImages => Set<DerivedImage>();
    public DbSet<Pseudonym> Pseudonyms => Set<Pseudonym>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ArchiveDbContext).Assembly);

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(SnakeCase(property.Name));
                // SQLite returns unspecified kinds; every time in Tessera is UTC.
                if (property.ClrType == typeof(DateTime))
                {
                    property.SetValueConverter(s_utc);
                }
                else if (property.ClrType == typeof(DateTime?))
                {
                    property.SetValueConverter(s_utcNullable);
                }
            }
        }
    }

    internal static string SnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && !char.IsUpper(name[i - 1]))
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
