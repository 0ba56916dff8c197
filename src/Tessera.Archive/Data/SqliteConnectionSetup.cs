using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tessera.Archive.Data;

/// <summary>
/// Sets up every SQLite connection as it opens:
/// a busy timeout, so that a writer finding the database locked waits inside SQLite (in steps of a
/// few milliseconds) rather than failing to the client library, which retries only every 150 ms —
/// under concurrent writes that made four clients slower than one;
/// and case-sensitive LIKE, as on PostgreSQL, so that DICOM wildcard matching is the same on both
/// (searches that should ignore case lower-case both sides).
/// Pooled connections are opened again for each query: the settings are made once per physical connection.
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    private const string Pragmas = "PRAGMA busy_timeout = 30000; PRAGMA case_sensitive_like = ON;";

    /// <summary>The native connections already set up (they outlive their pooled wrappers).</summary>
    private readonly ConditionalWeakTable<object, object> _prepared = [];
    private static readonly object Prepared = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!FirstOpen(connection))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!FirstOpen(connection))
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private bool FirstOpen(DbConnection connection) =>
        connection is not SqliteConnection { Handle: { } handle } || _prepared.TryAdd(handle, Prepared);
}
