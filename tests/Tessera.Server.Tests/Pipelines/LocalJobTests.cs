using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>The executor tests on the <c>local</c> executor (the embedded default), and the checks made at submission.</summary>
public sealed class LocalJobTests(TestServer server) : ExecutorJobTests(server), IClassFixture<TestServer>
{
    private readonly TestServer _server = server;

    protected override void RequireExecutor() => RequireSandbox();

    [Fact]
    public async Task Submit_BadInputsOrTarget_ClearErrors_NothingQueued()
    {
        using var admin = _server.Admin();
        var descriptor = JobApi.Tool("needs-input", "echo [LEVEL]");
        descriptor["inputs"] = JsonSerializer.SerializeToNode(new[] { new Dictionary<string, object> { ["id"] = "level", ["name"] = "Level", ["type"] = "Number", ["value-key"] = "[LEVEL]", ["maximum"] = 3 } });
        var tool = await JobApi.RegisterAsync(admin, descriptor);
        var (project, _, member) = await JobApi.ProjectAsync(_server);
        using var http = _server.Http(member);

        var missing = await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json($$"""{"tool":"{{tool}}","target":"subjects/S/sessions/E"}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await missing.ReadProblem()).GetRawText().ShouldContain("Input 'level' (Level) is required.");
        var high = await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json($$$"""{"tool":"{{{tool}}}","target":"subjects/S/sessions/E","inputs":{"level":7}}""")).ShouldHaveStatus(HttpStatusCode.BadRequest);
        (await high.ReadProblem()).GetRawText().ShouldContain("above the maximum");
        (await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json($$$"""{"tool":"{{{tool}}}","target":"subjects/S/sessions/NOPE","inputs":{"level":1}}"""))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json($$$"""{"tool":"{{{tool}}}","target":"subjects/S","inputs":{"level":1}}"""))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync($"api/projects/{project}/jobs", HttpAssertions.Json("""{"tool":"nope@1","target":"subjects/S/sessions/E"}"""))).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetFromJsonAsync<PageDto<JobDto>>($"api/projects/{project}/jobs"))!.Total.ShouldBe(0);
    }
}
