using Microsoft.Extensions.Options;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

public sealed class FileSystemBlobStoreTests : BlobStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tessera-blobs-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new FileSystemBlobStore(Options.Create(new StorageOptions { BlobDirectory = _root })));

    protected override int CountTemporary() => Directory.GetFiles(Path.Combine(_root, "tmp")).Length;

    public override async ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Commit_ShardsByKeyPrefix_NoPatientDataInPath()
    {
        await using var staged = await Store.StageAsync(new MemoryStream("Doe^Jane"u8.ToArray()), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);
        File.Exists(Path.Combine(_root, "sha256", staged.Key[..2], staged.Key[2..4], staged.Key)).ShouldBeTrue();
    }

    [Fact]
    public async Task SweepTemporary_RemovesOnlyOldFiles()
    {
        var tmp = Path.Combine(_root, "tmp");
        var old = Path.Combine(tmp, "old");
        var fresh = Path.Combine(tmp, "fresh");
        await File.WriteAllTextAsync(old, "x");
        await File.WriteAllTextAsync(fresh, "y");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-2));

        (await Store.SweepTemporaryAsync(TimeSpan.FromDays(1), CancellationToken.None)).ShouldBe(1);

        File.Exists(old).ShouldBeFalse();
        File.Exists(fresh).ShouldBeTrue();
    }
}
