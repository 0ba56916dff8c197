namespace Tessera.Server.Imaging;

/// <summary>Tells this node's pyramid worker that something was queued, so it need not wait for its next look.</summary>
public sealed class PyramidSignal : IDisposable
{
    private readonly SemaphoreSlim _queued = new(0, 1);

    public void Wake()
    {
        if (_queued.CurrentCount > 0)
            return;
        try
        {
            _queued.Release();
        }
        catch (SemaphoreFullException)
        {
            // woken twice at once: once is enough
        }
    }

    /// <summary>Waits until woken or until <paramref name="timeout"/>.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _queued.WaitAsync(timeout, ct);

    public void Dispose() => _queued.Dispose();
}
