using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Archive.Storage;
using Tessera.Archive.Uploads;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>A site whose orphan blobs may go at once, swept only when a test asks.</summary>
public sealed class SweeperServer : TestServer
{
    public SweeperServer()
    {
        Settings["Storage:OrphanGracePeriod"] = "00:00:00";
        Settings["Storage:SweepInterval"] = "1.00:00:00";
    }
}

public sealed class SweeperTests(SweeperServer server) : IClassFixture<SweeperServer>
{
    [Fact]
    public async Task Sweep_DeletesUnreferencedBlobs_KeepsReferencedOnes()
    {
        var project = await server.CreateProjectAsync();
        using var http = server.Admin();
        var kept = RandomNumberGenerator.GetBytes(100);
        var dropped = RandomNumberGenerator.GetBytes(100);
        var keptFile = await (await http.PutAsync($"api/projects/{project}/resources/R/files/keep", new ByteArrayContent(kept))).ReadJson<FileDto>();
        var droppedFile = await (await http.PutAsync($"api/projects/{project}/resources/R/files/drop", new ByteArrayContent(dropped))).ReadJson<FileDto>();
        // The same content under a second path keeps the blob alive when one reference goes.
        await http.PutAsync($"api/projects/{project}/resources/R/files/keep-too", new ByteArrayContent(kept)).ShouldHaveStatus(HttpStatusCode.Created);
        await http.DeleteAsync($"api/projects/{project}/resources/R/files/drop").ShouldHaveStatus(HttpStatusCode.NoContent);
        await http.DeleteAsync($"api/projects/{project}/resources/R/files/keep").ShouldHaveStatus(HttpStatusCode.NoContent);

        await using var scope = server.App.Services.CreateAsyncScope();
        var (blobs, _) = await scope.ServiceProvider.GetRequiredService<BlobSweeper>().SweepAsync(CancellationToken.None);

        blobs.ShouldBeGreaterThanOrEqualTo(1);
        var store = server.App.Services.GetRequiredService<IBlobStore>();
        (await store.ExistsAsync(droppedFile.Sha256, CancellationToken.None)).ShouldBeFalse();
        (await store.ExistsAsync(keptFile.Sha256, CancellationToken.None)).ShouldBeTrue();
        (await http.GetAsync($"api/projects/{project}/resources/R/files/keep-too")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Sweep_ImportSpoolLeftovers_OldOnesGo_YoungAndHeldOnesStay()
    {
        var spool = Path.Combine(server.DataDirectory, "uploads", "import");
        Directory.CreateDirectory(spool);
        string Leftover(string name, TimeSpan age)
        {
            var path = Path.Combine(spool, name);
            File.WriteAllBytes(path, [1, 2, 3]);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow - age);
            return path;
        }
        var crashed = Leftover("stow-crashed", TimeSpan.FromHours(7));
        var young = Leftover("stow-young", TimeSpan.FromMinutes(5));
        var held = Leftover("zip-being-read", TimeSpan.FromHours(7));

        await using (File.Open(held, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            await using var scope = server.App.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<UploadService>().SweepAsync(CancellationToken.None);
        }

        File.Exists(crashed).ShouldBeFalse();
        File.Exists(young).ShouldBeTrue();
        File.Exists(held).ShouldBeTrue();
    }
}
