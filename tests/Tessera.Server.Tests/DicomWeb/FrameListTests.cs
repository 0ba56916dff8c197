using System.Net;
using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.DicomWeb;

/// <summary>
/// A frame list names each frame once (regression: frames/1,1,1,… repeated one frame thousands of times, and one
/// request of an 8 KB URL decoded and sent it thousands of times, anonymously on a public project).
/// </summary>
public sealed class FrameListTests(TestServer server) : IClassFixture<TestServer>
{
    [Theory]
    [InlineData("frames/1,1")]
    [InlineData("frames/1,1/rendered")]
    public async Task AFrameAskedForTwice_IsRefused(string resource)
    {
        var project = await server.CreateProjectAsync();
        var (study, series, instance) = (TestDicom.NewUid(), TestDicom.NewUid(), TestDicom.NewUid());
        using (var client = new Tessera.Client.TesseraClient(server.Admin()))
            await client.ImportFileAsync(project, "i.dcm", new MemoryStream(TestDicom.Create(study, series, instance)));
        using var http = server.Admin();
        var path = $"dicom-web/projects/{project}/studies/{study}/series/{series}/instances/{instance}/";

        var twice = await http.GetAsync(path + resource).ShouldHaveStatus(HttpStatusCode.BadRequest);
        using var once = new HttpRequestMessage(HttpMethod.Get, path + resource.Replace("1,1", "1", StringComparison.Ordinal));
        once.Headers.Accept.ParseAdd("*/*");

        (await twice.ReadProblem()).GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("Frame 1 is asked for more than once");
        (await http.SendAsync(once)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
