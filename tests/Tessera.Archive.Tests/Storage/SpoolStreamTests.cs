using System.Security.Cryptography;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

/// <summary>The spool writes exactly what it reads or is given, whole-block direct writes or not, and hashes it.</summary>
public sealed class SpoolStreamTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-spool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(0, 4096)]
    [InlineData(1000, 4096)]
    [InlineData(262144, 65536)] // exactly one buffer
    [InlineData(262145, 7001)] // one byte more, read in odd pieces
    [InlineData(1048699, 100000)]
    public async Task Write_SameBytesAndHash_WhateverTheSizeAndReadPieces(int size, int piece)
    {
        var content = new byte[size];
        new Random(size).NextBytes(content);
        var source = new MemoryStream(content);
        var path = Path.Combine(_directory, $"part-{size}");

        var sha256 = await SpoolStream.WriteAsync(buffer => source.ReadAsync(buffer[..Math.Min(piece, buffer.Length)]).AsTask(), path, CancellationToken.None);

        sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        (await File.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(content).ShouldBeTrue("the file holds other bytes than were written");
    }

    [Fact]
    public async Task Write_SourceFails_ErrorPassesThrough_ExistingFileRefused()
    {
        var path = Path.Combine(_directory, "broken");
        var calls = 0;
        var failing = () => SpoolStream.WriteAsync(
            _ => ++calls < 3 ? Task.FromResult(100_000) : throw new InvalidDataException("the body broke off"), path, CancellationToken.None);

        (await Should.ThrowAsync<InvalidDataException>(failing)).Message.ShouldBe("the body broke off");
        // A spool never writes over a file that is there.
        await Should.ThrowAsync<IOException>(() => SpoolStream.WriteAsync(_ => Task.FromResult(0), path, CancellationToken.None));
    }

    [Theory]
    [InlineData(0, 4096, false)]
    [InlineData(1000, 333, true)]
    [InlineData(262144, 16384, true)] // exactly one buffer
    [InlineData(262145, 7001, false)]
    [InlineData(1048699, 100000, true)]
    public async Task Push_SameBytesAndHash_WhateverTheSizeAndPieces(int size, int piece, bool asynchronous)
    {
        var content = new byte[size];
        new Random(size + 1).NextBytes(content);
        var path = Path.Combine(_directory, $"pushed-{size}");

        string sha256;
        await using (var spool = new SpoolStream(path))
        {
            for (var offset = 0; offset < size; offset += piece)
            {
                var length = Math.Min(piece, size - offset);
                if (asynchronous)
                    await spool.WriteAsync(content.AsMemory(offset, length));
                else
                    spool.Write(content, offset, length);
            }
            spool.Length.ShouldBe(size);
            sha256 = await spool.CompleteAsync();
            spool.CanWrite.ShouldBeFalse();
        }

        sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        (await File.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(content).ShouldBeTrue("the file holds other bytes than were written");
    }

    [Fact]
    public async Task Discard_PartlyWritten_FileGone_NoFurtherWrites()
    {
        var path = Path.Combine(_directory, "aborted");
        var spool = new SpoolStream(path);
        await spool.WriteAsync(new byte[300_000]);

        spool.Discard();

        File.Exists(path).ShouldBeFalse();
        Should.Throw<ObjectDisposedException>(() => spool.Write(new byte[1]));
    }
}
