using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tessera.Archive.Data;

namespace Tessera.Archive.Audit;

/// <summary>
/// Writes audit entries in the background, all those waiting in one transaction. A request hands
/// its entry over and moves on: its connection does not wait for a commit of its own, and under load
/// many entries share one flush to disk. Entries are written in the order they were handed over.
/// Readers of the log call <see cref="FlushAsync"/> first, so that an entry is visible to the
/// next query. When the host stops, the queue is written out; an entry handed over after that is
/// written on its own, straight away.
/// </summary>
public sealed partial class AuditWriter : IHostedService, IAsyncDisposable
{
    /// <summary>Entries per transaction, at most.</summary>
    public const int MaxBatch = 512;

    // Bounded: if the database stalls, requests wait here rather than growing the queue without end.
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(8192) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger<AuditWriter> _logger;
    private readonly Task _loop;

    public AuditWriter(IServiceScopeFactory scopes, ILogger<AuditWriter> logger)
    {
        _scopes = scopes;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues an entry; it is committed shortly after, with any others waiting.</summary>
    public async ValueTask RecordAsync(AuditEntry entry, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(entry, null), ct);
        }
        catch (ChannelClosedException)
        {
            // Shutting down and the queue is written out already: this one goes straight in.
            await WriteAsync([entry]);
        }
    }

    /// <summary>Completes once every entry queued before the call is committed (or has failed and been logged).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _queue.Writer.WriteAsync(new Pending(null, flushed), ct);
        }
        catch (ChannelClosedException)
        {
            return;
        }
        await flushed.Task.WaitAsync(ct);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops queueing and writes out what is queued.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        return _loop.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                batch.Add(item);
            await WriteAsync(batch.Where(p => p.Entry is not null).Select(p => p.Entry!).ToList());
            foreach (var item in batch)
                item.Flushed?.TrySetResult();
            batch.Clear();
        }
    }

    /// <summary>Writes entries in one transaction; if that fails, one by one, so that one bad entry costs only itself.</summary>
    private async Task WriteAsync(List<AuditEntry> entries)
    {
        if (entries.Count == 0)
            return;
        try
        {
            await SaveAsync(entries);
            return;
        }
        catch (Exception e) when (entries.Count > 1 && e is not OutOfMemoryException)
        {
            LogBatchFailed(e, entries.Count);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogEntryFailed(e, entries[0].Action, entries[0].Target);
            return;
        }
        foreach (var entry in entries)
        {
            try
            {
                entry.Id = 0;
                await SaveAsync([entry]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogEntryFailed(e, entry.Action, entry.Target);
            }
        }
    }

    private async Task SaveAsync(List<AuditEntry> entries)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        db.AuditEntries.AddRange(entries);
        await db.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>An entry to write, or a marker whose task completes once everything queued before it is written.</summary>
    private readonly record struct Pending(AuditEntry? Entry, TaskCompletionSource? Flushed);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Could not record {Count} audit entries together; recording them one by one")]
    private partial void LogBatchFailed(Exception exception, int count);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error, Message = "Could not record the audit entry for {Action} {Target}")]
    private partial void LogEntryFailed(Exception exception, string action, string target);
}
