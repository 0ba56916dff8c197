using Tessera.Archive.Data;
using Tessera.Archive.Ingest;

namespace Tessera.Server.Imaging;

/// <summary>
/// Queues a pyramid look for every stored picture that may need one (its header decides, later), in the transaction
/// that records the file, and wakes this node's builder once that has committed.
/// </summary>
public sealed class PyramidQueueObserver(PyramidService pyramids, PyramidSignal signal) : IStoredFileObserver
{
    private int _queued;

    public async Task RecordingAsync(IReadOnlyList<StoredFile> files, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(files);
        var keys = files.Where(f => PyramidService.MayNeedOne(f.MediaType)).Select(f => f.Sha256).ToList();
        if (keys.Count > 0)
            _queued += await pyramids.EnqueueAsync(keys, ct);
    }

    public void Recorded()
    {
        if (_queued > 0)
            signal.Wake();
        _queued = 0;
    }
}
