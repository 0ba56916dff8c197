using Microsoft.Extensions.Options;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

public sealed class FileSystemBlobStoreTests : BlobStoreContract
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tessera-blobs-" + Guid.NewGuid().ToString("N"));

    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new FileSystemBlobStore(Options.Create(new StorageOptions { BlobDirectory = _root })));

    /// <summary>Staged files of every process's folder in tmp/, without the folders' lock files.</summary>
    protected override int CountTemporary() => StagedFiles().Length;

    private string[] StagedFiles() =>
        Directory.GetFiles(Path.Combine(_root, "tmp"), "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".owner").ToArray();

    public override async ValueTask DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task LocalFiles_NameTheCommittedContent_AndNothingForAMissingKey()
    {
        var content = new byte[] { 4, 5, 6 };
        await using var staged = await Store.StageAsync(new MemoryStream(content), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);

        var files = Store.LocalFiles.ShouldNotBeNull();
        (await File.ReadAllBytesAsync(files.PathOf(staged.Key)!)).ShouldBe(content);
        files.PathOf(new string('0', 64)).ShouldBeNull();
    }

    [Fact]
    public async Task Commit_ShardsByKeyPrefix_NoPatientDataInPath()
    {
        await using var staged = await Store.StageAsync(new MemoryStream("Doe^Jane"u8.ToArray()), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);
        File.Exists(Path.Combine(_root, "sha256", staged.Key[..2], staged.Key[2..4], staged.Key)).ShouldBeTrue();
    }

    [Fact]
    public async Task SweepTemporary_FilesOfEarlierVersions_OnlyOldOnesGo()
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

    [Fact]
    public async Task SweepTemporary_LeavesAFileAnUploadIsStillWriting()
    {
        var source = new GatedStream("first half "u8.ToArray());
        var staging = Store.StageAsync(source, CancellationToken.None);
        await source.FirstChunkServed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var tmp = StagedFiles().ShouldHaveSingleItem();
        File.SetLastWriteTimeUtc(tmp, DateTime.UtcNow.AddDays(-2));

        (await Store.SweepTemporaryAsync(TimeSpan.FromDays(1), CancellationToken.None)).ShouldBe(0);

        source.Release.SetResult();
        await using var staged = await staging;
        await staged.CommitAsync(CancellationToken.None);
        (await Store.ExistsAsync(staged.Key, CancellationToken.None)).ShouldBeTrue();
        staged.Size.ShouldBe(11);
    }

    /// <summary>Serves one chunk, then waits for <see cref="Release"/> before reporting the end.</summary>
    private sealed class GatedStream(byte[] chunk) : Stream
    {
        private bool _served;

        public TaskCompletionSource FirstChunkServed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_served)
            {
                _served = true;
                chunk.CopyTo(buffer);
                FirstChunkServed.SetResult();
                return chunk.Length;
            }
            await Release.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
