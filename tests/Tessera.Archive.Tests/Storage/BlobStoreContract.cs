using System.Security.Cryptography;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

/// <summary>What every <see cref="IBlobStore"/> must do; one sealed subclass per implementation.</summary>
public abstract class BlobStoreContract : IAsyncLifetime
{
    protected IBlobStore Store { get; private set; } = null!;

    protected abstract Task<IBlobStore> CreateStoreAsync();

    /// <summary>Temporary items the store holds right now (staged, uncommitted content).</summary>
    protected abstract int CountTemporary();

    public async ValueTask InitializeAsync() => Store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Stage_Commit_ContentReadableUnderItsSha256()
    {
        var content = RandomNumberGenerator.GetBytes(3_000_001);
        await using var staged = await Store.StageAsync(new MemoryStream(content), CancellationToken.None);
        staged.Key.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        staged.Size.ShouldBe(content.Length);
        (await Store.ExistsAsync(staged.Key, CancellationToken.None)).ShouldBeFalse();

        await staged.CommitAsync(CancellationToken.None);

        (await Store.ExistsAsync(staged.Key, CancellationToken.None)).ShouldBeTrue();
        await using var read = await Store.OpenReadAsync(staged.Key, CancellationToken.None);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        copy.ToArray().ShouldBe(content);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1_000_000, 65_536)]
    [InlineData(2_999_990, 100)] // past the end: what there is
    public async Task OpenRange_ServesThoseBytesOnly(long offset, long length)
    {
        var content = RandomNumberGenerator.GetBytes(3_000_000);
        await using var staged = await Store.StageAsync(new MemoryStream(content), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);

        await using var range = await Store.OpenRangeAsync(staged.Key, offset, length, CancellationToken.None);
        var copy = new MemoryStream();
        await range.CopyToAsync(copy);

        copy.ToArray().ShouldBe(content.AsSpan((int)offset, (int)Math.Min(length, content.Length - offset)).ToArray());
    }

    [Fact]
    public async Task Stage_DisposedWithoutCommit_LeavesNothing()
    {
        string key;
        await using (var staged = await Store.StageAsync(new MemoryStream([1, 2, 3]), CancellationToken.None))
        {
            key = staged.Key;
        }
        (await Store.ExistsAsync(key, CancellationToken.None)).ShouldBeFalse();
        CountTemporary().ShouldBe(0);
    }

    [Fact]
    public async Task Stage_SourceFailsMidway_LeavesNothing()
    {
        await Should.ThrowAsync<IOException>(() => Store.StageAsync(new FailingStream(), CancellationToken.None));
        CountTemporary().ShouldBe(0);
    }

    [Fact]
    public async Task Commit_SameContentTwice_OneBlob()
    {
        var content = "same"u8.ToArray();
        await using var first = await Store.StageAsync(new MemoryStream(content), CancellationToken.None);
        await first.CommitAsync(CancellationToken.None);
        await using var second = await Store.StageAsync(new MemoryStream(content), CancellationToken.None);
        await second.CommitAsync(CancellationToken.None);
        second.Key.ShouldBe(first.Key);
        (await Store.ExistsAsync(first.Key, CancellationToken.None)).ShouldBeTrue();
        CountTemporary().ShouldBe(0);
    }

    [Fact]
    public async Task Delete_RemovesBlob_AndMissingIsNoError()
    {
        await using var staged = await Store.StageAsync(new MemoryStream([9]), CancellationToken.None);
        await staged.CommitAsync(CancellationToken.None);
        await Store.DeleteAsync(staged.Key, CancellationToken.None);
        (await Store.ExistsAsync(staged.Key, CancellationToken.None)).ShouldBeFalse();
        await Store.DeleteAsync(staged.Key, CancellationToken.None);
        await Should.ThrowAsync<BlobMissingException>(() => Store.OpenReadAsync(staged.Key, CancellationToken.None));
    }

    private sealed class FailingStream : Stream
    {
        private int _reads;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => 0; set => throw new NotSupportedException(); }
        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count) =>
            ++_reads > 2 ? throw new IOException("connection reset") : count;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
