using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive;
using Tessera.Archive.Audit;
using Tessera.Archive.Data;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>The audit log's background writer, on the database under test.</summary>
public sealed class AuditWriterTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tessera-audit-" + Guid.NewGuid().ToString("N"));
    private TestDatabase _database = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        await using var services = Services();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().MigrateAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Flush_MakesEveryQueuedEntryVisible()
    {
        await using var services = Services();
        var writer = services.GetRequiredService<AuditWriter>();
        await writer.RecordAsync(Entry("flushed"), CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);

        (await CountAsync(services, "flushed")).ShouldBe(1);
    }

    [Fact]
    public async Task Stop_WritesOutTheQueue_InOrder_ThenWritesLateEntriesDirectly()
    {
        const int count = AuditWriter.MaxBatch * 2 + 17;
        await using (var services = Services())
        {
            var writer = services.GetRequiredService<AuditWriter>();
            for (var i = 0; i < count; i++)
                await writer.RecordAsync(Entry($"queued-{i:D4}"), CancellationToken.None);
            await writer.StopAsync(CancellationToken.None);
            await writer.RecordAsync(Entry("late"), CancellationToken.None);
            (await CountAsync(services, "late")).ShouldBe(1);
        }

        await using var reader = Services();
        await using var scope = reader.CreateAsyncScope();
        var targets = await scope.ServiceProvider.GetRequiredService<ArchiveDbContext>().AuditEntries
            .Where(a => a.Target.StartsWith("queued-")).OrderBy(a => a.Id).Select(a => a.Target).ToListAsync();
        targets.ShouldBe(Enumerable.Range(0, count).Select(i => $"queued-{i:D4}").ToList());
    }

    [Fact]
    public async Task AnEntryTheDatabaseRefuses_CostsOnlyItself()
    {
        await using var services = Services();
        var writer = services.GetRequiredService<AuditWriter>();
        await writer.FlushAsync(CancellationToken.None);
        // Queued together so that they share a transaction: the entry without an action breaks it.
        await writer.RecordAsync(Entry("neighbour"), CancellationToken.None);
        await writer.RecordAsync(new AuditEntry { At = DateTime.UtcNow, Action = null!, Target = "broken" }, CancellationToken.None);
        await writer.RecordAsync(Entry("neighbour"), CancellationToken.None);
        await writer.FlushAsync(CancellationToken.None);

        (await CountAsync(services, "neighbour")).ShouldBe(2);
        (await CountAsync(services, "broken")).ShouldBe(0);
    }

    private static AuditEntry Entry(string target) => new() { At = DateTime.UtcNow, Action = "POST /test", Target = target, Status = 200 };

    private static async Task<int> CountAsync(ServiceProvider services, string target)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ArchiveDbContext>().AuditEntries.CountAsync(a => a.Target == target);
    }

    private ServiceProvider Services()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:DataDirectory"] = _folder,
            ["Database:Provider"] = _database.Provider,
            ["Database:ConnectionString"] = _database.ConnectionString,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddTesseraArchive(configuration);
        return services.BuildServiceProvider();
    }
}
