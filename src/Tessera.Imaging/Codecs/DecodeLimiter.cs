using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// Lets at most <see cref="Limit"/> decodes and renders run at once on this node (Imaging:MaxConcurrentDecodes):
/// tiles, regions and thumbnails rendered, pictures decoded whole. Each holds its frame and output in memory, so
/// the slots bound that memory; a request that finds none free within the queue wait (Imaging:DecodeQueueTimeout)
/// is refused with <see cref="DecodeBusyException"/> (503 with Retry-After) instead of piling up behind the others.
/// Work that already holds a slot (an image opened while a series is rendered) runs in it without taking another.
/// </summary>
public sealed partial class DecodeLimiter : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _wait;
    private readonly ILogger<DecodeLimiter> _logger;
    private readonly AsyncLocal<bool> _holding = new();
    private int _active;
    private int _peak;
    private int _waiting;
    private long _refused;

    /// <param name="limit">How many may run at once.</param>
    /// <param name="queueWait">How long a request waits for a slot before it is refused.</param>
    /// <param name="logger">Where refusals are logged.</param>
    public DecodeLimiter(int limit, TimeSpan queueWait, ILogger<DecodeLimiter>? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
        _wait = queueWait;
        _slots = new SemaphoreSlim(Limit, Limit);
        _logger = logger ?? NullLogger<DecodeLimiter>.Instance;
    }

    /// <summary>How many may run at once.</summary>
    public int Limit { get; }

    /// <summary>How many run now.</summary>
    public int Active => Volatile.Read(ref _active);

    /// <summary>The most that have run at once since the node started.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>How many wait for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>How many were refused because no slot came free in time.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Runs <paramref name="work"/> (a decode or render: synchronous, CPU-bound) in a slot;
    /// <see cref="DecodeBusyException"/> when none comes free within the queue wait.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (_holding.Value)
            return work();
        using var slot = await EnterAsync(ct);
        // Flows into the work (and what it opens), not back out to the caller.
        _holding.Value = true;
        return work();
    }

    /// <summary>
    /// Takes a slot, held until the returned handle is disposed; <see cref="DecodeBusyException"/> when none comes
    /// free within the queue wait. For work that <see cref="RunAsync{T}"/> does not fit.
    /// </summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _waiting);
        bool entered;
        try
        {
            entered = await _slots.WaitAsync(_wait, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        if (!entered)
        {
            Interlocked.Increment(ref _refused);
            LogRefused(Limit, _wait.TotalSeconds);
            throw new DecodeBusyException(RetryAfter);
        }
        var active = Interlocked.Increment(ref _active);
        for (var peak = Peak; active > peak; peak = Peak)
            Interlocked.CompareExchange(ref _peak, active, peak);
        return new Slot(this);
    }

    /// <summary>What a refused client is told to wait: the queue wait, rounded up to a second.</summary>
    public TimeSpan RetryAfter => TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(_wait.TotalSeconds)));

    public void Dispose() => _slots.Dispose();

    private void Exit()
    {
        Interlocked.Decrement(ref _active);
        _slots.Release();
    }

    private sealed class Slot(DecodeLimiter owner) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                owner.Exit();
        }
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "An image decode was refused: {Limit} were running and none finished within {Seconds} s (Imaging:MaxConcurrentDecodes, Imaging:DecodeQueueTimeout)")]
    private partial void LogRefused(int limit, double seconds);
}
