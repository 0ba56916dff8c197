using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

/// <summary>
/// Readers that need a file get the store's own when it keeps blobs as files, else a copy in the bounded cache. The
/// store without files here is the file system store seen only through its streams (as an object store is), until the
/// S3 store comes with its own contract run.
/// </summary>
public sealed class BlobFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tessera-files-" + Guid.NewGuid().ToString("N"));
    private readonly FileSystemBlobStore _store;

    public BlobFilesTests() => _store = new FileSystemBlobStore(Options.Create(new StorageOptions { BlobDirectory = Path.Combine(_root, "blobs") }));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private async Task<(string Key, byte[] Content)> StoreAsync(int size)
    {
        var content = RandomNumberGenerator.GetBytes(size);
        await using var staged = await _store.StageAsync(new MemoryStream(content), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);
        return (staged.Key, content);
    }

    private BlobFiles Files(IBlobStore store, long megabytes = 64) =>
        new(store, new BlobFileCache(store, Options.Create(new StorageOptions { DataDirectory = _root, FileCacheMegabytes = megabytes })));

    [Fact]
    public async Task AStoreWithFiles_GivesItsOwn_NoCopy()
    {
        var (key, _) = await StoreAsync(1000);

        var path = await Files(_store).PathAsync(key, CancellationToken.None);

        path.ShouldBe(_store.PathOf(key));
        Directory.Exists(Path.Combine(_root, "cache")).ShouldBeFalse();
    }

    [Fact]
    public async Task AStoreWithoutFiles_GivesACopy_MadeOnce_EvenForManyAskersAtOnce()
    {
        var (key, content) = await StoreAsync(2_000_000);
        var streamsOnly = new StreamsOnly(_store);
        var files = Files(streamsOnly);

        var paths = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => files.PathAsync(key, CancellationToken.None)));

        paths.Distinct().ShouldHaveSingleItem().ShouldStartWith(Path.Combine(_root, "cache", "blobs"));
        (await File.ReadAllBytesAsync(paths[0])).ShouldBe(content);
        streamsOnly.Opened.ShouldBe(1);
    }

    [Fact]
    public async Task TheCache_KeepsWithinItsSize_LeastRecentlyUsedGoFirst()
    {
        var files = Files(new StreamsOnly(_store), megabytes: 64);
        var blobs = new List<string>();
        for (var i = 0; i < 5; i++)
            blobs.Add((await StoreAsync(20 << 20)).Key);

        foreach (var key in blobs)
            await files.PathAsync(key, CancellationToken.None);

        var kept = Directory.GetFiles(Path.Combine(_root, "cache", "blobs"), "*", SearchOption.AllDirectories);
        kept.Sum(f => new FileInfo(f).Length).ShouldBeLessThanOrEqualTo(64 << 20);
        kept.Select(Path.GetFileName).ShouldBe(blobs.TakeLast(3), ignoreOrder: true);
    }

    [Fact]
    public async Task AMissingBlob_IsMissing_NotAnEmptyFile()
    {
        var missing = new string('a', 64);

        await Should.ThrowAsync<BlobMissingException>(() => Files(_store).PathAsync(missing, CancellationToken.None));
        await Should.ThrowAsync<BlobMissingException>(() => Files(new StreamsOnly(_store)).PathAsync(missing, CancellationToken.None));
        var cache = Path.Combine(_root, "cache", "blobs");
        (Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories) : []).ShouldBeEmpty();
    }

    /// <summary>A store offering streams and ranges only, over a real one; counts the whole reads.</summary>
    private sealed class StreamsOnly(IBlobStore inner) : IBlobStore
    {
        private int _opened;

        public int Opened => _opened;

        public ILocalBlobFiles? LocalFiles => null;

        public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _opened);
            return inner.OpenReadAsync(key, cancellationToken);
        }

        public Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken) =>
            inner.OpenRangeAsync(key, offset, length, cancellationToken);

        public Task<IStagedBlob> StageAsync(Stream content, CancellationToken cancellationToken) => inner.StageAsync(content, cancellationToken);

        public Task<IStagedBlob> StageFileAsync(string path, string? sha256, CancellationToken cancellationToken) =>
            inner.StageFileAsync(path, sha256, cancellationToken);

        public Task<IReadOnlyList<IStagedBlob>> StageFilesAsync(IReadOnlyList<(string Path, string? Sha256)> files, CancellationToken cancellationToken) =>
            inner.StageFilesAsync(files, cancellationToken);

        public Task CommitAsync(IReadOnlyList<IStagedBlob> blobs, CancellationToken cancellationToken) => inner.CommitAsync(blobs, cancellationToken);

        public Task<bool> ExistsAsync(string key, CancellationToken cancellationToken) => inner.ExistsAsync(key, cancellationToken);

        public Task DeleteAsync(string key, CancellationToken cancellationToken) => inner.DeleteAsync(key, cancellationToken);

        public Task<int> SweepTemporaryAsync(TimeSpan olderThan, CancellationToken cancellationToken) => inner.SweepTemporaryAsync(olderThan, cancellationToken);
    }
}
