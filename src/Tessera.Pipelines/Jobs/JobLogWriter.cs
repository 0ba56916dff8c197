using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Archive.Data;
using Tessera.Pipelines.Executors;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// Collects what a tool writes and stores it in the job's log a few times a second (one row per
/// run of one stream in a flush), so that it can be followed live from any node; the log is cut at
/// <see cref="PipelineOptions.MaxLogBytes"/> with a note.
/// </summary>
public sealed class JobLogWriter(IServiceScopeFactory scopes, Guid job, int attempt, long maxBytes, TimeProvider clock) : IJobOutput, IAsyncDisposable
{
    private readonly Lock _lock = new();
    // What came since the last flush, in order: consecutive writes of one stream share a segment.
    private readonly List<(int Stream, StringBuilder Text)> _pending = [];
    private long _written;
    private bool _cut;
    private readonly PeriodicTimer _timer = new(TimeSpan.FromMilliseconds(250));
    private Task? _flushing;
    private readonly SemaphoreSlim _flush = new(1, 1);

    public void Start() => _flushing = LoopAsync();

    public void Write(int stream, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_lock)
        {
            if (_cut)
                return;
            var room = maxBytes - _written;
            var bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes > room)
            {
                text = text[..(int)Math.Min(text.Length, Math.Max(0, room))] + $"\n[tessera: the log is cut here, at {maxBytes} bytes]\n";
                _cut = true;
            }
            _written += bytes;
            var number = stream == 2 ? 2 : 1;
            if (_pending.Count == 0 || _pending[^1].Stream != number)
                _pending.Add((number, new StringBuilder()));
            _pending[^1].Text.Append(text);
        }
    }

    /// <summary>Adds a line of Tessera's own to the log (standard error).</summary>
    public void Note(string text) => Write(2, $"[tessera] {text}\n");

    public async Task FlushAsync(CancellationToken ct)
    {
        // One flush at a time (the timer's and the runner's): the rows' ids keep the order written.
        await _flush.WaitAsync(ct);
        try
        {
            await FlushPendingAsync(ct);
        }
        finally
        {
            _flush.Release();
        }
    }

    private async Task FlushPendingAsync(CancellationToken ct)
    {
        List<(int Stream, string Text)> segments;
        lock (_lock)
        {
            segments = _pending.Select(p => (p.Stream, p.Text.ToString())).ToList();
            _pending.Clear();
        }
        if (segments.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        // Added in order, saved in one batch: their ids keep the order they were written in.
        foreach (var (stream, text) in segments)
            db.JobLog.Add(new JobLogChunk { JobId = job, Attempt = attempt, Stream = stream, At = now, Text = text });
        await db.SaveChangesAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        if (_flushing is not null)
            await _flushing;
        await FlushAsync(CancellationToken.None);
        _flush.Dispose();
    }

    private async Task LoopAsync()
    {
        while (await _timer.WaitForNextTickAsync())
            await FlushAsync(CancellationToken.None);
    }
}
