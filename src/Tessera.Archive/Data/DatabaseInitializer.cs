using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Options;
using Tessera.Archive.Storage;
using Tessera.Archive.Users;

namespace Tessera.Archive.Data;

/// <summary>Brings a database to the current schema and creates the first administrator.</summary>
public sealed class DatabaseInitializer(
    ArchiveDbContext db, UserService users, IOptions<DatabaseOptions> database, IOptions<StorageOptions> storage)
{
    /// <summary>
    /// Migrations not yet applied. A database without a history table has them all pending; it is
    /// checked first, because querying a missing table makes the provider log an error.
    /// </summary>
    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken ct)
    {
        if (!await db.GetService<IHistoryRepository>().ExistsAsync(ct))
        {
            return db.Database.GetMigrations().ToList();
        }
        return (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
    }

    /// <summary>Applies pending migrations; returns their names.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        if (!database.Value.IsPostgres)
        {
            Directory.CreateDirectory(Path.GetFullPath(storage.Value.DataDirectory));
        }
        var pending = await PendingMigrationsAsync(ct);
        await db.Database.MigrateAsync(ct);
        if (!database.Value.IsPostgres)
        {
            // WAL lets readers proceed during a write; the setting persists in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        return pending;
    }

    /// <summary>Refuses to serve a database whose schema is behind the code.</summary>
    public async Task EnsureCurrentAsync(CancellationToken ct)
    {
        IReadOnlyList<string> pending;
        try
        {
            pending = await PendingMigrationsAsync(ct);
        }
        catch (DbException e)
        {
            throw new DatabaseNotReadyException($"Cannot reach the {database.Value.Provider} database: {e.Message}", e);
        }
        if (pending.Count > 0)
        {
            throw new DatabaseNotReadyException(
                $"The database schema is behind ({pending.Count} pending migrations). Run `tessera db migrate`, " +
                "or set Database:AutoMigrate=true.");
        }
    }

    /// <summary>
    /// On a database without users, creates <c>admin</c> with <paramref name="password"/>, or a
    /// generated one. Returns the generated password (to be shown once), or null.
    /// </summary>
    public async Task<(bool Created, string? GeneratedPassword)> EnsureAdminAsync(string? password, CancellationToken ct)
    {
        if (await users.AnyAsync(ct))
        {
            return (false, null);
        }
        var generated = string.IsNullOrEmpty(password) ? RandomNumberGenerator.GetString(
            "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 20) : null;
        await users.CreateAsync("admin", password ?? generated!, null, isAdmin: true, ct);
        return (true, generated);
    }
}
