using Microsoft.Extensions.Options;

namespace Tessera.Archive.Data;

/// <summary>
/// Lets one write transaction at a time into an embedded SQLite database (every SaveChanges passes
/// it, see <see cref="WriteGateInterceptor"/>; other writes enter it themselves). SQLite has a single writer;
/// without the gate, concurrent ingests collide on its lock and back off with sleeps, so four clients
/// store fewer files per second than one. PostgreSQL needs no gate: it passes straight through.
/// </summary>
public sealed class WriteGate(IOptions<DatabaseOptions> options) : IDisposable
{
    private readonly SemaphoreSlim? _sqlite = options.Value.IsPostgres ? null : new SemaphoreSlim(1, 1);

    /// <summary>Waits for the gate; dispose the result to leave it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        if (_sqlite is null)
            return Released.Instance;
        await _sqlite.WaitAsync(ct);
        return new Leaver(_sqlite);
    }

    /// <summary>Waits for the gate without async (for synchronous saves); dispose the result to leave it.</summary>
    public IDisposable Enter()
    {
        if (_sqlite is null)
            return Released.Instance;
        _sqlite.Wait();
        return new Leaver(_sqlite);
    }

    public void Dispose() => _sqlite?.Dispose();

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
