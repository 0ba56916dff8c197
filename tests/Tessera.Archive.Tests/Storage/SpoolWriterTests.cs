using System.Security.Cryptography;
using Shouldly;
using Tessera.Archive.Storage;

namespace Tessera.Archive.Tests.Storage;

/// <summary>The spool writes exactly what it reads, whole-block direct writes or not, and hashes it.</summary>
public sealed class SpoolWriterTests : IDisposable
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

        var sha256 = await SpoolWriter.WriteAsync(buffer => source.ReadAsync(buffer[..Math.Min(piece, buffer.Length)]).AsTask(), path, CancellationToken.None);

        sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        (await File.ReadAllBytesAsync(path)).ShouldBe(content);
    }

    [Fact]
    public async Task Write_SourceFails_ErrorPassesThrough_ExistingFileRefused()
    {
        var path = Path.Combine(_directory, "broken");
        var calls = 0;
        var failing = () => SpoolWriter.WriteAsync(
            _ => ++calls < 3 ? Task.FromResult(100_000) : throw new InvalidDataException("the body broke off"), path, CancellationToken.None);

        (await Should.ThrowAsync<InvalidDataException>(failing)).Message.ShouldBe("the body broke off");
        // A spool never writes over a file that is there.
        await Should.ThrowAsync<IOException>(() => SpoolWriter.WriteAsync(_ => Task.FromResult(0), path, CancellationToken.None));
    }
}
