namespace Tessera.Pipelines.Jobs;

/// <summary>
/// Wakes this node's dispatcher when a job is queued here, and carries the node's identity in the
/// jobs it claims. Jobs queued by other nodes are found by the dispatcher's polling.
/// </summary>
public sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public string NodeId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke it first: one wake is enough.
            }
        }
    }

    public void Dispose() => _wake.Dispose();

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);
}
