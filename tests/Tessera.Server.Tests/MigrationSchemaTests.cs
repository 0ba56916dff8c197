using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Shouldly;
using Tessera.Archive;
using Tessera.Archive.Data;
using Tessera.Archive.Storage;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>The hand-written migrations must build exactly the schema the model describes, on the provider under test.</summary>
public sealed class MigrationSchemaTests
{
    [Fact]
    public async Task Migrate_BuildsTheModelsSchema()
    {
        await using var migrated = await TestDatabase.CreateAsync();
        await using var created = await TestDatabase.CreateAsync();
        var folder = Path.Combine(Path.GetTempPath(), "tessera-schema-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            await using var a = Context(migrated, Path.Combine(folder, "migrated.db"));
            await a.Database.MigrateAsync();
            await using var b = Context(created, Path.Combine(folder, "created.db"));
            await b.Database.EnsureCreatedAsync();

            var fromMigrations = await DescribeAsync(a);
            var fromModel = await DescribeAsync(b);
            fromModel.Count.ShouldBeGreaterThan(50);
            fromMigrations.ShouldBe(fromModel, ignoreOrder: false);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static ArchiveDbContext Context(TestDatabase database, string sqliteFile)
    {
        var builder = new DbContextOptionsBuilder<ArchiveDbContext>();
        ArchiveServiceCollectionExtensions.Configure(builder,
            new DatabaseOptions
            {
                Provider = database.Provider,
                ConnectionString = database.ConnectionString ?? $"Data Source={sqliteFile};Pooling=False",
            },
            new StorageOptions());
        return new ArchiveDbContext(builder.Options);
    }

    private static async Task<List<string>> DescribeAsync(ArchiveDbContext db)
    {
        var sql = db.Database.IsNpgsql()
            ? """
              SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(character_maximum_length::text, '') || ' ' || coalesce(is_identity, '')
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '\_\_EF%'
              UNION ALL
              SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\_\_EF%'
              UNION ALL
              SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE '"\_\_EF%'
              """
            : """
              SELECT 'column ' || m.name || '.' || c.name || ' ' || c.type || ' ' || c."notnull" || ' ' || c.pk
                FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE '\_\_EF%' ESCAPE '\'
              UNION ALL
              SELECT 'index ' || m.name || ' ' || i.name || ' ' || i."unique" || ' ' || (SELECT group_concat(x.name) FROM pragma_index_info(i.name) x)
                FROM sqlite_master m, pragma_index_list(m.name) i WHERE m.type = 'table' AND m.name NOT LIKE '\_\_EF%' ESCAPE '\'
              UNION ALL
              SELECT 'foreign key ' || m.name || ' ' || f."from" || ' ' || f."table" || '.' || f."to" || ' ' || f.on_delete
                FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND m.name NOT LIKE '\_\_EF%' ESCAPE '\'
              UNION ALL
              SELECT 'autoincrement ' || name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' AND name NOT LIKE '\_\_EF%' ESCAPE '\'
              """;
        var rows = new List<string>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }
}
