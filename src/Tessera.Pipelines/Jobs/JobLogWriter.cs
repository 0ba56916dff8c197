using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Archive.Data;
using Tessera.Pipelines.Executors;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// Collects what a tool writes and stores it in the job's log a few times a second (one row per
/// stream and flush), so that it can be followed live from any node; the log is cut at
/// <see cref="PipelineOptions.MaxLogBytes"/> with a note.
/// </summary>
public sealed class JobLogWriter(IServiceScopeFactory scopes, Guid job, int attempt, long maxBytes, TimeProvider clock) : IJobOutput, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly StringBuilder[] _pending = [new(), new()];
    private long _written;
    private bool _cut;
    private readonly PeriodicTimer _timer = new(TimeSpan.FromMilliseconds(250));
    private Task? _flushing;

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
            _pending[stream == 2 ? 1 : 0].Append(text);
        }
    }

    /// <summary>Adds a line of Tessera's own to the log (standard error).</summary>
    public void Note(string text) => Write(2, $"[tessera] {text}\n");

    public async Task FlushAsync(CancellationToken ct)
    {
        string[] texts;
        lock (_lock)
        {
            texts = [_pending[0].ToString(), _pending[1].ToString()];
            _pending[0].Clear();
            _pending[1].Clear();
        }
        if (texts.All(t => t.Length == 0))
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var now = clock.GetUtcNow().UtcDateTime;
        for (var i = 0; i < 2; i++)
        {
            if (texts[i].Length > 0)
                db.JobLog.Add(new JobLogChunk { JobId = job, Attempt = attempt, Stream = i + 1, At = now, Text = texts[i] });
        }
        await db.SaveChangesAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        if (_flushing is not null)
            await _flushing;
        await FlushAsync(CancellationToken.None);
    }

    private async Task LoopAsync()
    {
        while (await _timer.WaitForNextTickAsync())
            await FlushAsync(CancellationToken.None);
    }
}
