using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Net.Sockets;
using System.Text;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

public sealed class FileApiTests(TestServer server) : IClassFixture<TestServer>
{
    private const string Session = "subjects/S1/sessions/E1";

    private async Task<(string Project, HttpClient Http)> SessionAsync()
    {
        var project = await server.CreateProjectAsync();
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, "subjects/S1");
        await client.PutEntityAsync(project, Session);
        return (project, server.Admin());
    }

    private static string FileUrl(string project, string path, string resource = "R") =>
        $"api/projects/{project}/{Session}/resources/{resource}/files/{path}";

    [Fact]
    public async Task Put_NewFile_201WithSizeAndSha256_ThenGetReturnsIt()
    {
        var (project, http) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(200_000);
        var response = await http.PutAsync(FileUrl(project, "dir/a.bin"), new ByteArrayContent(content)).ShouldHaveStatus(HttpStatusCode.Created);
        var file = await response.ReadJson<FileDto>();
        file.Size.ShouldBe(content.Length);
        file.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
        file.Path.ShouldBe("dir/a.bin");

        var get = await http.GetAsync(FileUrl(project, "dir/a.bin")).ShouldHaveStatus(HttpStatusCode.OK);
        (await get.Content.ReadAsByteArrayAsync()).ShouldBe(content);
        get.Headers.ETag!.Tag.ShouldBe($"\"{file.Sha256}\"");
        get.Headers.AcceptRanges.ShouldContain("bytes");
    }

    [Fact]
    public async Task Put_SamePathAgain_200AndReplaced()
    {
        var (project, http) = await SessionAsync();
        await http.PutAsync(FileUrl(project, "a.txt"), new StringContent("one")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.PutAsync(FileUrl(project, "a.txt"), new StringContent("two")).ShouldHaveStatus(HttpStatusCode.OK);
        (await http.GetStringAsync(FileUrl(project, "a.txt"))).ShouldBe("two");
    }

    [Fact]
    public async Task Get_Range_206WithTheRequestedBytes()
    {
        var (project, http) = await SessionAsync();
        await http.PutAsync(FileUrl(project, "r.txt"), new StringContent("0123456789")).ShouldHaveStatus(HttpStatusCode.Created);
        using var request = new HttpRequestMessage(HttpMethod.Get, FileUrl(project, "r.txt"));
        request.Headers.Range = new RangeHeaderValue(2, 5);
        var response = await http.SendAsync(request).ShouldHaveStatus(HttpStatusCode.PartialContent);
        (await response.Content.ReadAsStringAsync()).ShouldBe("2345");
        response.Content.Headers.ContentRange!.Length.ShouldBe(10);
    }

    [Fact]
    public async Task Get_IfNoneMatchCurrentETag_304()
    {
        var (project, http) = await SessionAsync();
        var file = await (await http.PutAsync(FileUrl(project, "e.txt"), new StringContent("etag"))).ReadJson<FileDto>();
        using var request = new HttpRequestMessage(HttpMethod.Get, FileUrl(project, "e.txt"));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{file.Sha256}\""));
        await http.SendAsync(request).ShouldHaveStatus(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task Put_ContentDigestMatches_Stored()
    {
        var (project, http) = await SessionAsync();
        var content = "digest me"u8.ToArray();
        var body = new ByteArrayContent(content);
        body.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData(content))}:");
        await http.PutAsync(FileUrl(project, "d.txt"), body).ShouldHaveStatus(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Put_ContentDigestMismatch_400AndNothingKept()
    {
        var (project, http) = await SessionAsync();
        var body = new StringContent("actual content");
        body.Headers.Add("Content-Digest", $"sha-256=:{Convert.ToBase64String(SHA256.HashData("other"u8.ToArray()))}:");
        var response = await http.PutAsync(FileUrl(project, "bad.txt"), body).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await response.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain("SHA-256");

        await http.GetAsync(FileUrl(project, "bad.txt")).ShouldHaveStatus(HttpStatusCode.NotFound);
        var key = Convert.ToHexStringLower(SHA256.HashData("actual content"u8.ToArray()));
        BlobExists(key).ShouldBeFalse();
        TemporaryFiles().ShouldBeEmpty();
    }

    [Fact]
    public async Task Put_MalformedContentDigest_400()
    {
        var (project, http) = await SessionAsync();
        var body = new StringContent("x");
        body.Headers.TryAddWithoutValidation("Content-Digest", "sha-256=notbase64");
        await http.PutAsync(FileUrl(project, "m.txt"), body).ShouldHaveStatus(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("a%5Cb")]
    [InlineData("a%01b")]
    [InlineData("a//b")]
    public async Task Put_UnsafePath_400WithReason(string path)
    {
        var (project, http) = await SessionAsync();
        var response = await http.PutAsync(FileUrl(project, path), new StringContent("x")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await response.ReadProblem()).GetProperty("detail").GetString()!.ShouldContain("file path is not valid");
    }

    [Fact]
    public async Task Put_IdenticalContentTwice_StoredOnce()
    {
        var (project, http) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(1000);
        var a = await (await http.PutAsync(FileUrl(project, "one.bin"), new ByteArrayContent(content))).ReadJson<FileDto>();
        var b = await (await http.PutAsync(FileUrl(project, "two.bin"), new ByteArrayContent(content))).ReadJson<FileDto>();
        a.Sha256.ShouldBe(b.Sha256);
        Directory.GetFiles(Path.Combine(server.DataDirectory, "blobs", "sha256"), a.Sha256, SearchOption.AllDirectories).Length.ShouldBe(1);
    }

    [Fact]
    public async Task Put_TruncatedUpload_NoRecordNoTemporaryFile()
    {
        var (project, _) = await SessionAsync();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(server.BaseAddress.Host, server.BaseAddress.Port);
            var stream = tcp.GetStream();
            var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{TestServer.AdminPassword}"));
            var head = $"PUT /{FileUrl(project, "cut.bin")} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Length: 1000000\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(new byte[300_000]);
            await stream.FlushAsync();
            await Poll.UntilAsync(() => TemporaryFiles().Length == 1, "the upload is being staged");
        }
        // The connection is gone: the server drops the staged part and records nothing.
        await Poll.UntilAsync(() => TemporaryFiles().Length == 0, "the partial staging file is deleted");
        using var http = server.Admin();
        await http.GetAsync(FileUrl(project, "cut.bin")).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Put_SamePathConcurrently_OneConsistentFileNo500()
    {
        var (project, _) = await SessionAsync();
        var bodies = Enumerable.Range(0, 8).Select(i => $"writer {i}").ToArray();
        var responses = await Task.WhenAll(bodies.Select(async body =>
        {
            using var http = server.Admin();
            return (await http.PutAsync(FileUrl(project, "race.txt"), new StringContent(body))).StatusCode;
        }));
        responses.ShouldAllBe(s => s == HttpStatusCode.Created || s == HttpStatusCode.OK);
        using var check = server.Admin();
        var list = await (await check.GetAsync($"api/projects/{project}/{Session}/resources/R/files")).ReadJson<PageDto<FileDto>>();
        list.Items.Count(f => f.Path == "race.txt").ShouldBe(1);
        bodies.ShouldContain(await check.GetStringAsync(FileUrl(project, "race.txt")));
    }

    [Fact]
    public async Task Delete_File_GoneFromListing()
    {
        var (project, http) = await SessionAsync();
        await http.PutAsync(FileUrl(project, "x.txt"), new StringContent("x")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.DeleteAsync(FileUrl(project, "x.txt")).ShouldHaveStatus(HttpStatusCode.NoContent);
        await http.GetAsync(FileUrl(project, "x.txt")).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SessionZip_ContainsSessionAndScanFiles()
    {
        var (project, http) = await SessionAsync();
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, $"{Session}/scans/3");
        await http.PutAsync(FileUrl(project, "notes.txt", "DOCS"), new StringContent("notes")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.PutAsync($"api/projects/{project}/{Session}/scans/3/resources/DICOM/files/1.dcm", new StringContent("dicom"))
            .ShouldHaveStatus(HttpStatusCode.Created);

        var response = await http.GetAsync($"api/projects/{project}/{Session}/files.zip").ShouldHaveStatus(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        await using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        var names = zip.Entries.Select(e => e.FullName).Order().ToList();
        names.ShouldBe(["S1/E1/DOCS/notes.txt", "S1/E1/scans/3/DICOM/1.dcm"]);
        using var reader = new StreamReader(zip.GetEntry("S1/E1/scans/3/DICOM/1.dcm")!.Open());
        (await reader.ReadToEndAsync()).ShouldBe("dicom");
    }

    [Fact]
    public async Task ListResources_CountsFilesAndBytes()
    {
        var (project, http) = await SessionAsync();
        await http.PutAsync(FileUrl(project, "a", "RES"), new StringContent("12345")).ShouldHaveStatus(HttpStatusCode.Created);
        await http.PutAsync(FileUrl(project, "b", "RES"), new StringContent("678")).ShouldHaveStatus(HttpStatusCode.Created);
        var resources = await (await http.GetAsync($"api/projects/{project}/{Session}/resources")).ReadJson<List<ResourceDto>>();
        resources.ShouldHaveSingleItem().ShouldBe(new ResourceDto("RES", 2, 8));
    }

    /// <summary>
    /// %2F in a file path is a folder separator, decoded once like every other escape: upload,
    /// download, delete and the listing's URLs all name the same file (it was stored as a literal
    /// "%2F" in the name, and "%252F" could not be told from "%2F").
    /// </summary>
    [Fact]
    public async Task FilePath_EscapedSlashIsAFolder_EscapesDecodeOnce_UploadDownloadDeleteAndListingAgree()
    {
        var (project, http) = await SessionAsync();

        var put = await (await http.PutAsync(FileUrl(project, "dir%2Fa.txt"), new StringContent("a")).ShouldHaveStatus(HttpStatusCode.Created)).ReadJson<FileDto>();
        put.Path.ShouldBe("dir/a.txt");
        (await http.GetStringAsync(FileUrl(project, "dir/a.txt"))).ShouldBe("a");
        (await http.GetStringAsync(FileUrl(project, "dir%2fa.txt"))).ShouldBe("a");
        (await http.PutAsync(FileUrl(project, "dir/a.txt"), new StringContent("b"))).StatusCode.ShouldBe(HttpStatusCode.OK, "the same file, replaced");

        var literal = await (await http.PutAsync(FileUrl(project, "50%25%2520off.txt"), new StringContent("c")).ShouldHaveStatus(HttpStatusCode.Created)).ReadJson<FileDto>();
        literal.Path.ShouldBe("50%%20off.txt", "an escaped '%' is a '%', decoded once only");
        (await http.GetStringAsync(literal.Url.TrimStart('/'))).ShouldBe("c");

        await http.PutAsync(FileUrl(project, "..%2Fescape.txt"), new StringContent("x")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        await http.PutAsync(FileUrl(project, "dir%2F%2Fb.txt"), new StringContent("x")).ShouldHaveStatus(HttpStatusCode.BadRequest);

        var listed = await (await http.GetAsync($"api/projects/{project}/{Session}/resources/R/files")).ReadJson<PageDto<FileDto>>();
        listed.Items.Select(f => f.Path).ShouldBe(["50%%20off.txt", "dir/a.txt"], ignoreOrder: true);
        foreach (var file in listed.Items)
        {
            await http.GetAsync(file.Url.TrimStart('/')).ShouldHaveStatus(HttpStatusCode.OK);
        }

        await http.DeleteAsync(FileUrl(project, "dir%2Fa.txt")).ShouldHaveStatus(HttpStatusCode.NoContent);
        await http.GetAsync(FileUrl(project, "dir/a.txt")).ShouldHaveStatus(HttpStatusCode.NotFound);
    }

    private bool BlobExists(string key) =>
        File.Exists(Path.Combine(server.DataDirectory, "blobs", "sha256", key[..2], key[2..4], key));

    private string[] TemporaryFiles() => StagingFiles.In(Path.Combine(server.DataDirectory, "blobs", "tmp"));
}
