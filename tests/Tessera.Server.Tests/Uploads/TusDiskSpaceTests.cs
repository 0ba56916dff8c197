using System.Net;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Uploads;

/// <summary>A site that takes files of any size, so that only the disk can refuse one.</summary>
public sealed class UnlimitedUploadServer : TestServer
{
    public UnlimitedUploadServer() => Settings["Server:MaxUploadBytes"] = long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class TusDiskSpaceTests(UnlimitedUploadServer server) : IClassFixture<UnlimitedUploadServer>
{
    [Fact]
    public async Task Create_LongerThanTheFreeDiskSpace_507_SayingHowMuchIsFree()
    {
        var project = await server.CreateProjectAsync();
        var tus = new TusClient(server.Admin());
        var free = new DriveInfo(server.DataDirectory).AvailableFreeSpace;

        var response = await tus.CreateAsync(free + (1L << 30), TusClient.Metadata(("project", project), ("filename", "huge.bin")))
            .ShouldHaveStatus(HttpStatusCode.InsufficientStorage);

        (await response.ReadProblem()).GetProperty("detail").GetString()!.ShouldStartWith("The server has ");
        using var client = new TesseraClient(server.Admin());
        (await client.ListResourcesAsync(project, "")).ShouldBeEmpty();
    }
}
