using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tessera.Imaging.Sources;

namespace Tessera.Server.Imaging;

/// <summary>
/// The two bounded memories of the imaging layer: open image sources by content hash (so a slide's handle and a
/// DICOM header are read once for a viewer's hundreds of tile requests) and rendered frames by size in bytes.
/// An evicted source is not disposed while a request may hold it: its native handle is released when unreachable.
/// </summary>
public sealed class ImageCaches : IDisposable
{
    private readonly MemoryCache _sources;

    public ImageCaches(IOptions<ImagingOptions> options)
    {
        var o = options.Value;
        _sources = new MemoryCache(new MemoryCacheOptions { SizeLimit = o.OpenImages });
        Frames = new MemoryCache(new MemoryCacheOptions { SizeLimit = (long)o.FrameCacheMegabytes << 20 });
    }

    /// <summary>Rendered frames, each entry sized in bytes.</summary>
    public IMemoryCache Frames { get; }

    /// <summary>
    /// Answers a viewer asks again and again (which file is this id, is its project public, is this user a
    /// member), kept for <see cref="AccessLifetime"/>: a tile request then touches no database. A removed member
    /// or a project made private loses its tiles within that time.
    /// </summary>
    public static readonly TimeSpan AccessLifetime = TimeSpan.FromSeconds(10);

    private readonly MemoryCache _access = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    /// <param name="lifetime">How long this answer is kept, when not <see cref="AccessLifetime"/>.</param>
    public async Task<T> AccessAsync<T>(object key, Func<Task<T>> load, Func<T, TimeSpan>? lifetime = null)
    {
        if (_access.TryGetValue(key, out var known))
            return (T)known!; // null is an answer too ("no pyramid due"), and is remembered like any other
        var loaded = await load();
        _access.Set(key, loaded, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = lifetime?.Invoke(loaded) ?? AccessLifetime });
        return loaded;
    }

    /// <summary>Drops a remembered access fact (this node changed it: its next reader sees the change at once).</summary>
    public void Forget(object key) => _access.Remove(key);

    /// <summary>The open source for a blob, opening it once however many requests ask at the same time.</summary>
    public async Task<IImageSource> SourceAsync(string key, Func<Task<IImageSource>> open)
    {
        var lazy = Entry(key, open);
        try
        {
            return await lazy.Value;
        }
        catch
        {
            _sources.Remove(key); // a failure is not remembered: the next request tries again
            throw;
        }
    }

    /// <summary>
    /// The open source for a blob, opened synchronously when it is not open yet (a series' plane, from its local
    /// file, while a tile is rendered); shares the entries of <see cref="SourceAsync"/>.
    /// </summary>
    public IImageSource Source(string key, Func<IImageSource> open)
    {
        var task = Entry(key, () => Task.FromResult(open())).Value;
        if (task.IsCompletedSuccessfully)
            return task.Result;
        if (!task.IsCompleted)
            return open(); // another request is opening it asynchronously: not waited for, opened here as well
        _sources.Remove(key); // a failure is not remembered: opened again, and its error thrown here
        return open();
    }

    private Lazy<Task<IImageSource>> Entry(string key, Func<Task<IImageSource>> open) =>
        _sources.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(30);
            return new Lazy<Task<IImageSource>>(open);
        })!;

    public void Dispose()
    {
        _sources.Dispose();
        _access.Dispose();
        ((MemoryCache)Frames).Dispose();
    }
}
