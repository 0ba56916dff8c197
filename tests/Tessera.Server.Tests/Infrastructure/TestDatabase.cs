using Npgsql;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The database a test server uses: SQLite in its data folder, or a fresh PostgreSQL database
/// when <c>TESSERA_TEST_DATABASE=postgres</c> (server from <c>TESSERA_TEST_POSTGRES</c>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _adminConnection;
    private readonly string? _name;

    private TestDatabase(string provider, string? connectionString, string? adminConnection, string? name)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _adminConnection = adminConnection;
        _name = name;
    }

    public string Provider { get; }

    public string? ConnectionString { get; }

    public static bool UsePostgres =>
        string.Equals(Environment.GetEnvironmentVariable("TESSERA_TEST_DATABASE"), "postgres", StringComparison.OrdinalIgnoreCase);

    public static async Task<TestDatabase> CreateAsync()
    {
        if (!UsePostgres)
        {
            return new TestDatabase("sqlite", null, null, null);
        }
        var server = Environment.GetEnvironmentVariable("TESSERA_TEST_POSTGRES")
            ?? throw new InvalidOperationException("TESSERA_TEST_DATABASE=postgres needs TESSERA_TEST_POSTGRES (a connection string).");
        var name = "tessera_test_" + Guid.NewGuid().ToString("N")[..16];
        var admin = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var own = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new TestDatabase("postgres", own, admin, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_adminConnection is null)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
