namespace Tessera.Archive.Data;

public sealed class DatabaseOptions
{
    public const string SectionName = "Database";

    /// <summary><c>sqlite</c> (embedded default) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>ADO.NET connection string; for SQLite it defaults to <c>DataDirectory/tessera.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Apply pending migrations on start; defaults to true for SQLite and false for PostgreSQL.</summary>
    public bool? AutoMigrate { get; set; }

    public bool IsPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    public bool ShouldAutoMigrate => AutoMigrate ?? !IsPostgres;
}
