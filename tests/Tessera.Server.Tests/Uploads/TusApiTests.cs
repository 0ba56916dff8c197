using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive.Data;
using Tessera.Archive.Uploads;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Uploads;

public sealed class TusApiTests(TestServer server) : IClassFixture<TestServer>
{
    private async Task<(string Project, TusClient Tus)> SessionAsync(string? user = null)
    {
        var project = await server.CreateProjectAsync(user);
        using var client = new TesseraClient(server.Admin());
        await client.PutEntityAsync(project, "subjects/S1");
        await client.PutEntityAsync(project, "subjects/S1/sessions/E1");
        return (project, new TusClient(user is null ? server.Admin() : server.Http(user)));
    }

    private static string SessionTarget(string project, string path) => TusClient.Metadata(
        ("project", project), ("subject", "S1"), ("session", "E1"), ("resource", "RAW"), ("filename", "ignored.bin"), ("path", path));

    private async Task<FileDto> StoredAsync(string project, string path, string owner = "subjects/S1/sessions/E1/", string resource = "RAW")
    {
        using var client = new TesseraClient(server.Admin());
        var files = await client.ListFilesAsync(project, owner.TrimEnd('/'), resource);
        return files.Single(f => f.Path == path);
    }

    private string UploadDirectory => server.App.Services.CreateScope().ServiceProvider.GetRequiredService<UploadService>().Directory;

    private static Guid IdOf(string url) => Guid.Parse(url[(url.LastIndexOf('/') + 1)..]);

    [Fact]
    public async Task Options_AdvertisesVersionExtensionsMaxSizeAndSha256_WithoutSignIn()
    {
        using var http = server.Http();
        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Options, "api/uploads")).ShouldHaveStatus(HttpStatusCode.NoContent);
        response.Headers.GetValues("Tus-Version").Single().ShouldBe("1.0.0");
        response.Headers.GetValues("Tus-Resumable").Single().ShouldBe("1.0.0");
        var extensions = response.Headers.GetValues("Tus-Extension").Single().Split(',');
        extensions.ShouldBe(["creation", "creation-with-upload", "termination", "checksum", "expiration"], ignoreOrder: true);
        response.Headers.GetValues("Tus-Checksum-Algorithm").Single().ShouldBe("sha256");
        long.Parse(response.Headers.GetValues("Tus-Max-Size").Single()).ShouldBe(1L << 40);
    }

    [Fact]
    public async Task Upload_InThreeChunks_HeadTracksOffset_CompletesIntoTheArchiveWithItsSha256()
    {
        var (project, tus) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(3_000_000);
        var created = await tus.CreateAsync(content.Length, SessionTarget(project, "dir/scan one.bin")).ShouldHaveStatus(HttpStatusCode.Created);
        created.Headers.GetValues("Tus-Resumable").Single().ShouldBe("1.0.0");
        created.Headers.GetValues("Upload-Expires").Single().ShouldEndWith("GMT");
        var url = created.Headers.Location!.OriginalString.TrimStart('/');
        url.ShouldStartWith("api/uploads/");

        var head = await tus.HeadAsync(url).ShouldHaveStatus(HttpStatusCode.OK);
        head.Headers.GetValues("Upload-Offset").Single().ShouldBe("0");
        head.Headers.GetValues("Upload-Length").Single().ShouldBe("3000000");
        head.Headers.GetValues("Upload-Metadata").Single().ShouldBe(SessionTarget(project, "dir/scan one.bin"));
        head.Headers.CacheControl!.NoStore.ShouldBeTrue();

        for (var offset = 0; offset < content.Length; offset += 1_000_000)
        {
            var patch = await tus.PatchAsync(url, offset, content[offset..(offset + 1_000_000)]).ShouldHaveStatus(HttpStatusCode.NoContent);
            patch.Headers.GetValues("Upload-Offset").Single().ShouldBe((offset + 1_000_000).ToString());
            (await tus.OffsetAsync(url)).ShouldBe(offset + 1_000_000);
            if (offset + 1_000_000 < content.Length)
            {
                patch.Headers.Contains("Tessera-File-Id").ShouldBeFalse();
            }
            else
            {
                var file = await StoredAsync(project, "dir/scan one.bin");
                patch.Headers.GetValues("Tessera-File-Id").Single().ShouldBe(file.Id.ToString());
                file.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
                file.Size.ShouldBe(content.Length);
            }
        }
        (await tus.Http.GetByteArrayAsync($"api/projects/{project}/subjects/S1/sessions/E1/resources/RAW/files/dir/scan%20one.bin")).ShouldBe(content);
        File.Exists(Path.Combine(UploadDirectory, IdOf(url).ToString("N"))).ShouldBeFalse("the finished upload's bytes moved into the blob store");
        // A finished upload still answers HEAD, so a client that lost the last response learns it is done.
        (await tus.OffsetAsync(url)).ShouldBe(content.Length);
        (await tus.PatchAsync(url, content.Length, [1])).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Patch_AtTheWrongOffset_409_NothingWritten()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(10, SessionTarget(project, "a.bin"));
        await tus.PatchAsync(url, 0, [1, 2, 3]).ShouldHaveStatus(HttpStatusCode.NoContent);
        var problem = await (await tus.PatchAsync(url, 5, [6, 7]).ShouldHaveStatus(HttpStatusCode.Conflict)).ReadProblem();
        problem.GetProperty("detail").GetString().ShouldBe("The upload stands at offset 3, not 5.");
        (await tus.OffsetAsync(url)).ShouldBe(3);
    }

    [Fact]
    public async Task Patch_ChecksumMismatch_460_ChunkDiscarded_ThenTheRightChecksumIsAccepted()
    {
        var (project, tus) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(4096);
        var url = await tus.CreateOkAsync(content.Length, SessionTarget(project, "c.bin"));
        var wrong = "sha256 " + Convert.ToBase64String(SHA256.HashData(content[..100]));
        var answer = await tus.PatchAsync(url, 0, content, wrong);
        ((int)answer.StatusCode).ShouldBe(460);
        (await answer.ReadProblem()).GetProperty("title").GetString().ShouldBe("Checksum mismatch");
        (await tus.OffsetAsync(url)).ShouldBe(0);

        (await tus.PatchAsync(url, 0, content, "md5 " + Convert.ToBase64String(new byte[16]))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await tus.PatchAsync(url, 0, content, "sha256 " + Convert.ToBase64String(SHA256.HashData(content))).ShouldHaveStatus(HttpStatusCode.NoContent);
        (await StoredAsync(project, "c.bin")).Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    [Theory]
    [InlineData("sha256 not*base64")]
    [InlineData("sha256 AAAAAAAAAAAAAAAAAAAAAA==")] // 16 bytes: not a SHA-256
    [InlineData("sha256")]
    [InlineData("SHA256 ")]
    public async Task Patch_MalformedSha256Checksum_460_NothingKept(string checksum)
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(4, SessionTarget(project, $"malformed-{Guid.NewGuid():N}.bin"));

        var answer = await tus.PatchAsync(url, 0, [1, 2, 3, 4], checksum);

        ((int)answer.StatusCode).ShouldBe(460, await answer.Content.ReadAsStringAsync());
        (await answer.ReadProblem()).GetProperty("title").GetString().ShouldBe("Checksum mismatch");
        (await tus.OffsetAsync(url)).ShouldBe(0);
    }

    [Fact]
    public async Task Patch_UnsupportedChecksumAlgorithm_400()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(4, SessionTarget(project, "md5.bin"));

        (await tus.PatchAsync(url, 0, [1, 2, 3, 4], "md5 " + Convert.ToBase64String(new byte[16]))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tus.OffsetAsync(url)).ShouldBe(0);
    }

    [Fact]
    public async Task ProtocolErrors_ClearAnswers()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(10, SessionTarget(project, "p.bin"));

        var noVersion = new HttpRequestMessage(HttpMethod.Head, url);
        var old = await tus.Http.SendAsync(noVersion).ShouldHaveStatus(HttpStatusCode.PreconditionFailed);
        old.Headers.GetValues("Tus-Version").Single().ShouldBe("1.0.0");

        var plain = new ByteArrayContent([1]);
        (await tus.PatchAsync(url, 0, plain)).StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);

        var noOffset = TusClient.Request(HttpMethod.Patch, url);
        noOffset.Content = TusClient.OffsetContent([1]);
        (await tus.Http.SendAsync(noOffset)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await tus.CreateAsync(1L << 41, SessionTarget(project, "huge.bin"))).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var noProject = await (await tus.CreateAsync(5, TusClient.Metadata(("filename", "x.bin"))).ShouldHaveStatus(HttpStatusCode.BadRequest)).ReadProblem();
        noProject.GetProperty("detail").GetString()!.ShouldContain("'project'");
        (await tus.CreateAsync(5, TusClient.Metadata(("project", project), ("subject", "bad label"), ("filename", "x.bin"))))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tus.CreateAsync(5, TusClient.Metadata(("project", project), ("path", "../escape"))))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tus.CreateAsync(5, $"project {project}")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tus.HeadAsync($"api/uploads/{Guid.NewGuid():N}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Patch_LongerThanTheUpload_413_NothingKept()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(10, SessionTarget(project, "long.bin"));
        await tus.PatchAsync(url, 0, [1, 2, 3, 4]).ShouldHaveStatus(HttpStatusCode.NoContent);
        (await tus.PatchAsync(url, 4, new byte[20])).StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await tus.OffsetAsync(url)).ShouldBe(4);
    }

    [Fact]
    public async Task Terminate_DeletesTheUploadAndItsBytes()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(10, SessionTarget(project, "t.bin"));
        await tus.PatchAsync(url, 0, [1, 2, 3]).ShouldHaveStatus(HttpStatusCode.NoContent);
        var data = Path.Combine(UploadDirectory, IdOf(url).ToString("N"));
        File.Exists(data).ShouldBeTrue();
        await tus.DeleteAsync(url).ShouldHaveStatus(HttpStatusCode.NoContent);
        File.Exists(data).ShouldBeFalse();
        (await tus.HeadAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await tus.PatchAsync(url, 3, [4])).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CreationWithUpload_AndZeroLength_CompleteAtOnce()
    {
        var (project, tus) = await SessionAsync();
        var whole = await tus.CreateAsync(5, SessionTarget(project, "with-body.txt"), "hello"u8.ToArray()).ShouldHaveStatus(HttpStatusCode.Created);
        whole.Headers.GetValues("Upload-Offset").Single().ShouldBe("5");
        (await StoredAsync(project, "with-body.txt")).Size.ShouldBe(5);

        var empty = await tus.CreateAsync(0, SessionTarget(project, "empty.txt")).ShouldHaveStatus(HttpStatusCode.Created);
        empty.Headers.Contains("Tessera-File-Id").ShouldBeTrue();
        (await StoredAsync(project, "empty.txt")).Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData([])));
    }

    [Fact]
    public async Task ImportIntoProject_CreatesMissingSubjectSessionAndScan()
    {
        var project = await server.CreateProjectAsync();
        var tus = new TusClient(server.Admin());
        var metadata = TusClient.Metadata(("project", project), ("subject", "NEW1"), ("session", "V1"), ("scan", "7"), ("resource", "DICOM"), ("path", "img/1.dcm"));
        var url = await tus.CreateOkAsync(3, metadata);
        await tus.PatchAsync(url, 0, [9, 9, 9]).ShouldHaveStatus(HttpStatusCode.NoContent);
        (await StoredAsync(project, "img/1.dcm", "subjects/NEW1/sessions/V1/scans/7/", "DICOM")).Size.ShouldBe(3);

        var loose = await tus.CreateOkAsync(2, TusClient.Metadata(("project", project), ("filename", "notes.txt")));
        await tus.PatchAsync(loose, 0, [1, 2]).ShouldHaveStatus(HttpStatusCode.NoContent);
        (await StoredAsync(project, "notes.txt", "", "FILES")).Size.ShouldBe(2);
    }

    [Fact]
    public async Task Access_OnlyTheCreatorSeesAnUpload_CollaboratorsCannotUpload_OutsidersSeeNoProject()
    {
        var member = await server.CreateUserAsync();
        var collaborator = await server.CreateUserAsync();
        var outsider = await server.CreateUserAsync();
        var (project, _) = await SessionAsync();
        var tus = new TusClient(server.Http(member));
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.SetMemberAsync(project, member, Role.Member);
            await client.SetMemberAsync(project, collaborator, Role.Collaborator);
        }
        var url = await tus.CreateOkAsync(4, SessionTarget(project, "mine.bin"));
        var other = new TusClient(server.Http(outsider));
        (await other.HeadAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.PatchAsync(url, 0, [1])).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.DeleteAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.CreateAsync(4, SessionTarget(project, "x.bin"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await new TusClient(server.Http(collaborator)).CreateAsync(4, SessionTarget(project, "x.bin"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await new TusClient(server.Http()).CreateAsync(4, SessionTarget(project, "x.bin"))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await tus.OffsetAsync(url)).ShouldBe(0);

        // Losing write access stops an upload in progress.
        using (var client = new TesseraClient(server.Admin()))
        {
            await client.SetMemberAsync(project, member, Role.Collaborator);
        }
        (await tus.PatchAsync(url, 0, [1, 2, 3, 4])).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DroppedConnection_KeepsWhatArrived_ResumeCompletesWithTheRightSha256_EvenWithoutTheRunningHash()
    {
        var (project, tus) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(8 << 20);
        var url = await tus.CreateOkAsync(content.Length, SessionTarget(project, "dropped.bin"));

        var breaking = new BreakingContent(content, breakAfter: 3 << 20);
        await Should.ThrowAsync<HttpRequestException>(() => tus.PatchAsync(url, 0, breaking));
        var kept = await Poll.UntilAsync(() => tus.OffsetAsync(url), o => o > 0, "the server to count the bytes that arrived");
        kept.ShouldBeLessThanOrEqualTo(3 << 20);

        // Continue in two requests; between them the running hash is lost, as after a restart.
        var middle = (int)kept + 1_000_000;
        await tus.PatchAsync(url, kept, content[(int)kept..middle]).ShouldHaveStatus(HttpStatusCode.NoContent);
        server.App.Services.GetRequiredService<UploadHashes>().Forget(IdOf(url));
        await tus.PatchAsync(url, middle, content[middle..]).ShouldHaveStatus(HttpStatusCode.NoContent);
        (await StoredAsync(project, "dropped.bin")).Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    [Fact]
    public async Task DroppedConnection_WithAChecksum_KeepsNothingOfThatChunk_ResumeFromZeroCompletes()
    {
        var (project, tus) = await SessionAsync();
        var content = RandomNumberGenerator.GetBytes(4 << 20);
        var url = await tus.CreateOkAsync(content.Length, SessionTarget(project, "checked-drop.bin"));
        var checksum = "sha256 " + Convert.ToBase64String(SHA256.HashData(content));

        await Should.ThrowAsync<HttpRequestException>(() => tus.PatchAsync(url, 0, new BreakingContent(content, breakAfter: 2 << 20), checksum));
        // The server counts nothing of a chunk it could not verify: the upload goes on from 0 (409
        // only while the server still holds the cut request, or for good if it had kept bytes).
        var resumed = await Poll.UntilAsync(
            () => tus.PatchAsync(url, 0, content, checksum), r => r.StatusCode != HttpStatusCode.Conflict, "the cut request to be let go");
        resumed.StatusCode.ShouldBe(HttpStatusCode.NoContent, await resumed.Content.ReadAsStringAsync());
        (await StoredAsync(project, "checked-drop.bin")).Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    [Fact]
    public async Task Sweep_RemovesExpiredUploadsAndOrphanBytes()
    {
        var (project, tus) = await SessionAsync();
        var url = await tus.CreateOkAsync(10, SessionTarget(project, "old.bin"));
        await tus.PatchAsync(url, 0, [1, 2]).ShouldHaveStatus(HttpStatusCode.NoContent);
        var live = await tus.CreateOkAsync(10, SessionTarget(project, "live.bin"));
        await tus.PatchAsync(live, 0, [1, 2]).ShouldHaveStatus(HttpStatusCode.NoContent);
        var orphan = Path.Combine(UploadDirectory, Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(orphan, [1]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddDays(-1));

        await using var scope = server.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ArchiveDbContext>();
        var id = IdOf(url);
        await db.Uploads.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.ExpiresAt, DateTime.UtcNow.AddMinutes(-1)));
        (await scope.ServiceProvider.GetRequiredService<UploadService>().SweepAsync(CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(2);

        (await tus.HeadAsync(url)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        File.Exists(Path.Combine(UploadDirectory, id.ToString("N"))).ShouldBeFalse();
        File.Exists(orphan).ShouldBeFalse();
        (await tus.OffsetAsync(live)).ShouldBe(2);
    }

    /// <summary>Declares the whole body, sends part of it, then fails: the connection drops mid-request.</summary>
    private sealed class BreakingContent : HttpContent
    {
        private readonly byte[] _content;
        private readonly int _breakAfter;

        public BreakingContent(byte[] content, int breakAfter)
        {
            (_content, _breakAfter) = (content, breakAfter);
            Headers.ContentType = new("application/offset+octet-stream");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_content.AsMemory(0, _breakAfter));
            await stream.FlushAsync();
            await Task.Delay(300);
            throw new IOException("simulated network drop");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _content.Length;
            return true;
        }
    }
}
