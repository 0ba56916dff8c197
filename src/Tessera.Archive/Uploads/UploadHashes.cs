using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Tessera.Archive.Uploads;

/// <summary>
/// The running SHA-256 of each upload on this node, so that a finished upload needs no second
/// pass over its bytes. A hash is handed out only for the offset it covers; an upload continued
/// elsewhere (another node, after a restart) has none and is hashed from disk when it completes.
/// </summary>
public sealed class UploadHashes : IDisposable
{
    private readonly ConcurrentDictionary<Guid, (long Offset, IncrementalHash Hash)> _hashes = new();

    /// <summary>The hash covering the first <paramref name="offset"/> bytes, removed from the cache; null if unknown.</summary>
    public IncrementalHash? Take(Guid upload, long offset)
    {
        if (_hashes.TryRemove(upload, out var entry))
        {
            if (entry.Offset == offset)
            {
                return entry.Hash;
            }
            entry.Hash.Dispose();
        }
        return offset == 0 ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    }

    public void Put(Guid upload, long offset, IncrementalHash hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        if (!_hashes.TryAdd(upload, (offset, hash)))
        {
            hash.Dispose();
        }
    }

    public void Forget(Guid upload)
    {
        if (_hashes.TryRemove(upload, out var entry))
        {
            entry.Hash.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var entry in _hashes.Values)
        {
            entry.Hash.Dispose();
        }
        _hashes.Clear();
    }
}
