using Microsoft.Extensions.Options;

namespace Tessera.Archive.Data;

/// <summary>
/// Lets one write at a time into an embedded SQLite database: a transaction, or a writing statement outside one.
/// Nobody enters it by hand: <see cref="WriteGateInterceptor"/> does, for every context of the archive. SQLite has a
/// single writer; without the gate, concurrent ingests collide on its lock and back off with sleeps, so four clients
/// store fewer files per second than one. PostgreSQL needs no gate: it passes straight through.
/// </summary>
public sealed class WriteGate(IOptions<DatabaseOptions> options) : IDisposable
{
    /// <summary>
    /// How long a writer waits before it gives up with an error. Writes hold the gate for milliseconds; a wait this
    /// long means a writer waits for itself (a transaction on one context, a write on another inside it): a bug to
    /// see, not a hang.
    /// </summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    private readonly SemaphoreSlim? _sqlite = options.Value.IsPostgres ? null : new SemaphoreSlim(1, 1);
    private long _entered;

    /// <summary>How many times the gate was entered since the process started (for tests and diagnostics).</summary>
    public long Entered => Interlocked.Read(ref _entered);

    /// <summary>Whether a writer holds the gate now.</summary>
    public bool Held => _sqlite is { CurrentCount: 0 };

    /// <summary>Waits for the gate; dispose the result to leave it.</summary>
    internal async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_sqlite is null)
            return Released.Instance;
        if (!await _sqlite.WaitAsync(MaxWait, ct))
            throw Stuck();
        Interlocked.Increment(ref _entered);
        return new Leaver(_sqlite);
    }

    /// <summary>Waits for the gate without async (for synchronous saves); dispose the result to leave it.</summary>
    internal IDisposable Enter()
    {
        if (_sqlite is null)
            return Released.Instance;
        if (!_sqlite.Wait(MaxWait))
            throw Stuck();
        Interlocked.Increment(ref _entered);
        return new Leaver(_sqlite);
    }

    public void Dispose() => _sqlite?.Dispose();

    private static TimeoutException Stuck() =>
        new($"a database write waited {MaxWait.TotalMinutes:0} minutes for SQLite's write gate; a writer holds it and waits for something that waits for it");

    private sealed class Leaver(SemaphoreSlim gate) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _left, 1) == 0)
                gate.Release();
        }
    }

    private sealed class Released : IDisposable
    {
        public static readonly Released Instance = new();

        public void Dispose() { }
    }
}
