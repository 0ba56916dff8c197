using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Pipelines.Executors;

namespace Tessera.Cli.Commands.JobRun;

/// <summary>
/// Sends what the tool writes to the server a few times a second, in the order written; what could
/// not be sent is kept and tried again with the next batch (up to a bound, then cut with a note).
/// </summary>
internal sealed class RemoteLog(TesseraClient client, Guid job) : IJobOutput, IAsyncDisposable
{
    private const int MaxPendingChars = 8 * 1024 * 1024;
    private readonly Lock _lock = new();
    private readonly List<JobRunLogSegmentDto> _pending = [];
    private int _pendingChars;
    private bool _dropped;
    private readonly PeriodicTimer _timer = new(TimeSpan.FromMilliseconds(250));
    private Task? _sending;

    public void Start() => _sending = LoopAsync();

    public void Write(int stream, string text)
    {
        lock (_lock)
        {
            if (_pendingChars + text.Length > MaxPendingChars)
            {
                if (!_dropped)
                    _pending.Add(new JobRunLogSegmentDto(2, "\n[tessera job-run: the server could not be reached; output dropped here]\n"));
                _dropped = true;
                return;
            }
            _dropped = false;
            _pendingChars += text.Length;
            if (_pending.Count > 0 && _pending[^1].Stream == stream)
                _pending[^1] = _pending[^1] with { Text = _pending[^1].Text + text };
            else
                _pending.Add(new JobRunLogSegmentDto(stream, text));
        }
    }

    public void Note(string text) => Write(2, $"[tessera job-run] {text}\n");

    /// <summary>Sends what is pending; false when the server could not take it (it stays pending).</summary>
    public async Task<bool> FlushAsync(CancellationToken ct)
    {
        List<JobRunLogSegmentDto> batch;
        lock (_lock)
        {
            if (_pending.Count == 0)
                return true;
            batch = [.. _pending];
            _pending.Clear();
            _pendingChars = 0;
        }
        try
        {
            await client.AppendJobLogAsync(job, new JobRunLogDto(batch), ct);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TesseraApiException or TaskCanceledException)
        {
            lock (_lock)
            {
                _pending.InsertRange(0, batch);
                _pendingChars += batch.Sum(s => s.Text.Length);
            }
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        if (_sending is not null)
            await _sending;
        for (var i = 0; i < 5 && !await FlushAsync(CancellationToken.None); i++)
            await Task.Delay(500);
    }

    private async Task LoopAsync()
    {
        while (await _timer.WaitForNextTickAsync())
            await FlushAsync(CancellationToken.None);
    }
}
