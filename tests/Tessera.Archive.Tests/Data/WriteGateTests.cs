using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive.Data;

namespace Tessera.Archive.Tests.Data;

/// <summary>
/// Every write to SQLite passes the write gate, by interceptors, whatever issues it: SaveChanges, ExecuteUpdate,
/// ExecuteDelete, ExecuteSql, outside or inside a transaction; reads never wait for it. On a real database file.
/// </summary>
public sealed class WriteGateTests : IAsyncLifetime
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "tessera-gate-" + Guid.NewGuid().ToString("N"));
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = _data }).Build();
        _services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging().AddTesseraArchive(configuration).BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private WriteGate Gate => _services.GetRequiredService<WriteGate>();

    private static Task<int> InsertBlobAsync(ArchiveDbContext db, string key) =>
        db.Database.ExecuteSqlAsync($"INSERT INTO blobs (key, size, created_at, leased_at) VALUES ({key}, 1, {DateTime.UtcNow}, {DateTime.UtcNow})");

    [Fact]
    public async Task StatementsOutsideATransaction_EachPassTheGate_ReadsDoNot()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var before = Gate.Entered;

        await InsertBlobAsync(db, "a");
        await db.Blobs.Where(b => b.Key == "a").ExecuteUpdateAsync(s => s.SetProperty(b => b.Size, 2));
        (await db.Blobs.CountAsync()).ShouldBe(1);
        await db.Blobs.Where(b => b.Key == "a").ExecuteDeleteAsync();

        (Gate.Entered - before).ShouldBe(3);
        Gate.Held.ShouldBeFalse();
    }

    [Fact]
    public async Task ATransaction_HoldsTheGateOnceFromStartToCommit()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var before = Gate.Entered;

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            Gate.Held.ShouldBeTrue();
            await InsertBlobAsync(db, "t1");
            await InsertBlobAsync(db, "t2");
            await db.Blobs.Where(b => b.Key == "t1").ExecuteDeleteAsync();
            await transaction.CommitAsync();
        }

        (Gate.Entered - before).ShouldBe(1);
        Gate.Held.ShouldBeFalse();
    }

    [Fact]
    public async Task ATransactionDisposedUnfinished_LeavesTheGate_AndWritesNothing()
    {
        await using var scope = _services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();

        await using (await db.Database.BeginTransactionAsync())
            await InsertBlobAsync(db, "lost");

        Gate.Held.ShouldBeFalse();
        (await db.Blobs.AnyAsync(b => b.Key == "lost")).ShouldBeFalse();
    }

    [Fact]
    public async Task ManyWritersAtOnce_AllSucceed_AndTheGateIsLeftFree()
    {
        // Eight writers mixing statements and transactions: a hold never left would stop them (WriteGate.MaxWait), one left twice would throw.
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await using var scope = _services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
                if (i % 2 == 0)
                {
                    await InsertBlobAsync(db, $"w{w}-{i}");
                }
                else
                {
                    await using var transaction = await db.Database.BeginTransactionAsync();
                    await InsertBlobAsync(db, $"w{w}-{i}");
                    await db.Blobs.Where(b => b.Key == $"w{w}-{i}").ExecuteUpdateAsync(s => s.SetProperty(b => b.Size, 3));
                    await transaction.CommitAsync();
                }
            }
        }));

        await Task.WhenAll(writers);

        await using var check = _services.CreateAsyncScope();
        (await check.ServiceProvider.GetRequiredService<ArchiveDbContext>().Blobs.CountAsync(b => b.Key.StartsWith('w'))).ShouldBe(8 * 40);
        Gate.Held.ShouldBeFalse();
    }
}
