using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Archive.Data;
using Tessera.Pipelines.Executors;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// Collects what a tool writes and stores it in the job's log a few times a second (one row per
/// run of one stream in a flush), so that it can be followed live from any node; the log is cut at
/// <see cref="PipelineOptions.MaxLogBytes"/> with a note. The job's token never reaches it: a tool that
/// prints its environment would otherwise hand it to every reader of the project (collaborators too,
/// who could then write with the submitter's rights while the job runs); it is stored as <see cref="Mask"/>.
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
    private string? _secret;
    // What a stream wrote last that may be the start of the secret, held until the next write shows whether it is.
    private (int Stream, string Text) _held = (1, "");

    /// <summary>What the log shows in place of the job's token.</summary>
    public const string Mask = "[job token hidden]";

    public void Start() => _flushing = LoopAsync();

    /// <summary>From now on, <paramref name="secret"/> is stored as <see cref="Mask"/>, also when written in pieces.</summary>
    public void Hide(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        lock (_lock)
            _secret = secret;
    }

    public void Write(int stream, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_lock)
        {
            var number = stream == 2 ? 2 : 1;
            if (_secret is { } secret)
            {
                // A secret is written by one stream: what another stream held is released whole.
                if (_held.Text.Length > 0 && _held.Stream != number)
                    Append(_held.Stream, _held.Text);
                text = (_held.Stream == number ? _held.Text : "") + text;
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
                var keep = HeldBack(text, secret);
                _held = (number, text[^keep..]);
                text = text[..^keep];
            }
            Append(number, text);
        }
    }

    /// <summary>The length of the longest end of <paramref name="text"/> that begins <paramref name="secret"/>.</summary>
    private static int HeldBack(string text, string secret)
    {
        for (var length = Math.Min(text.Length, secret.Length - 1); length > 0; length--)
        {
            if (secret.AsSpan(0, length).SequenceEqual(text.AsSpan(text.Length - length)))
                return length;
        }
        return 0;
    }

    private void Append(int number, string text)
    {
        if (text.Length == 0 || _cut)
            return;
        var room = maxBytes - _written;
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > room)
        {
            text = text[..(int)Math.Min(text.Length, Math.Max(0, room))] + $"\n[tessera: the log is cut here, at {maxBytes} bytes]\n";
            _cut = true;
        }
        _written += bytes;
        if (_pending.Count == 0 || _pending[^1].Stream != number)
            _pending.Add((number, new StringBuilder()));
        _pending[^1].Text.Append(text);
    }

    /// <summary>Adds a line of Tessera's own to the log (standard error).</summary>
    public void Note(string text) => Write(2, $"[tessera] {text}\n");

    /// <summary>Stores what was written, and what was held back as a possible start of the token (the tool has ended).</summary>
    public Task FlushAsync(CancellationToken ct)
    {
        lock (_lock)
        {
            Append(_held.Stream, _held.Text);
            _held = (1, "");
        }
        return StoreAsync(ct);
    }

    private async Task StoreAsync(CancellationToken ct)
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
            await StoreAsync(CancellationToken.None);
    }
}
