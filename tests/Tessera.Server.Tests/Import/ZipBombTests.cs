using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Import;

/// <summary>A server whose import limits are small enough for tests to reach.</summary>
public sealed class ZipLimitedServer : TestServer
{
    public ZipLimitedServer()
    {
        Settings["Uploads:MaxImportExpandedBytes"] = (48L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Uploads:MaxImportEntries"] = "20";
    }
}

/// <summary>
/// Regression for zip bombs: a 10 MB zip of 10 GB of zeros was expanded and stored. Imports are now
/// held to a total, a compression ratio and an entry count, checked from the zip's directories before
/// anything is written, and an entry may not expand beyond what its header declares.
/// </summary>
public sealed class ZipBombTests(ZipLimitedServer server) : IClassFixture<ZipLimitedServer>
{
    [Fact]
    public async Task AZipOfZeros_IsRefusedByItsRatio_BeforeAnythingIsWritten()
    {
        var zip = Zip(CompressionLevel.SmallestSize, ("zeros.dcm", new byte[40 << 20]));

        var problem = await ImportAsync(zip, HttpStatusCode.RequestEntityTooLarge);

        problem.ShouldContain("Uploads:MaxCompressionRatio");
        await NothingLeftAsync();
    }

    [Fact]
    public async Task AZipOverTheTotal_IsRefused_NamingTheLimit()
    {
        var zip = Zip(CompressionLevel.NoCompression, ("a.bin", RandomNumberGenerator.GetBytes(30 << 20)), ("b.bin", RandomNumberGenerator.GetBytes(30 << 20)));

        var problem = await ImportAsync(zip, HttpStatusCode.RequestEntityTooLarge);

        problem.ShouldContain("Uploads:MaxImportExpandedBytes");
        await NothingLeftAsync();
    }

    [Fact]
    public async Task AZipOfTooManyEntries_IsRefused_BeforeItsDirectoryIsRead()
    {
        var zip = Zip(CompressionLevel.Fastest, Enumerable.Range(0, 21).Select(i => ($"f{i}.txt", new byte[] { 1 })).ToArray());

        var problem = await ImportAsync(zip, HttpStatusCode.RequestEntityTooLarge);

        problem.ShouldContain("Uploads:MaxImportEntries");
    }

    [Fact]
    public async Task AnEntryThatExpandsBeyondItsHeader_IsStoppedAtTheFirstByteTooMany()
    {
        var zip = Zip(CompressionLevel.SmallestSize, ("liar.dcm", new byte[8 << 20]));
        UnderstateSizes(zip, 4096);

        var problem = await ImportAsync(zip, HttpStatusCode.BadRequest);

        problem.ShouldContain("liar.dcm is damaged", Case.Insensitive, problem);
        await NothingLeftAsync();
    }

    private async Task<string> ImportAsync(byte[] zip, HttpStatusCode expected)
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        var response = await http.PostAsync($"api/projects/{project}/import", new ByteArrayContent(zip)).ShouldHaveStatus(expected);
        return await response.Content.ReadAsStringAsync();
    }

    private Task NothingLeftAsync() => Poll.UntilAsync(() => StagingFiles.In(ImportDirectory).Length == 0, "the import folder is empty");

    private string ImportDirectory => Path.Combine(server.DataDirectory, "uploads", "import");

    private static byte[] Zip(CompressionLevel level, params (string Name, byte[] Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }
        return buffer.ToArray();
    }

    /// <summary>Writes a smaller uncompressed size into the (single) entry's local header and central directory record, as a crafted bomb does.</summary>
    private static void UnderstateSizes(byte[] zip, uint size)
    {
        BinaryPrimitives.ReadUInt32LittleEndian(zip).ShouldBe(0x04034b50u);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(22), size);
        for (var i = zip.Length - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i)) == 0x02014b50)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
                return;
            }
        }
        throw new InvalidOperationException("no central directory record");
    }
}
