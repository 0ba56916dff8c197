using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Pipelines;

namespace Tessera.Server.Tests.Cli;

/// <summary><c>tessera tools …</c> and <c>tessera jobs …</c> run as a child process against a real server.</summary>
public sealed class PipelineCliTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("tessera-cli-tools-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ToolsAddRunFollowShowCancel_FromTheCommandLine()
    {
        using (var admin = new TesseraClient(server.Admin()))
        {
            var token = await admin.CreateTokenAsync(new CreateTokenRequest("cli-jobs", 1));
            _cli.Environment["TESSERA_URL"] = server.BaseAddress.ToString();
            _cli.Environment["TESSERA_TOKEN"] = token.Token;
        }
        var (project, _, _) = await JobApi.ProjectAsync(server);
        var descriptor = JobApi.Tool("cli-echo", "echo hello [WHO] | tee output/hello.txt; sleep [PAUSE]", null, "hello.txt");
        descriptor["inputs"] = System.Text.Json.Nodes.JsonNode.Parse("""
            [ { "id": "who", "name": "Who", "type": "String", "value-key": "[WHO]" },
              { "id": "pause", "name": "Pause", "type": "Number", "value-key": "[PAUSE]", "default-value": 0 } ]
            """);
        var file = Path.Combine(_folder, "cli-echo.json");
        await File.WriteAllTextAsync(file, descriptor.ToJsonString());

        var add = await _cli.RunAsync("tools", "add", file);
        var again = await _cli.RunAsync("tools", "add", file);
        var list = await _cli.RunAsync("tools", "list");
        var run = await _cli.RunAsync("jobs", "run", "cli-echo@1.0", $"{project}/S/E", "-i", "who=world", "--follow");
        var bad = await _cli.RunAsync("jobs", "run", "cli-echo@1.0", $"{project}/S/E");
        var slow = await _cli.RunAsync("jobs", "run", "cli-echo@1.0", $"{project}/S/E", "-i", "who=slow", "-i", "pause=300");
        var slowId = Guid.Parse(slow.Stdout.Trim());
        using var http = server.Admin();
        await JobApi.WaitAsync(http, slowId, "running");
        var cancel = await _cli.RunAsync("jobs", "cancel", slowId.ToString());
        await JobApi.WaitAsync(http, slowId, "cancelled");
        var show = await _cli.RunAsync("jobs", "show", slowId.ToString());
        var jobs = await _cli.RunAsync("jobs", "list", project, "--state", "complete");

        add.ExitCode.ShouldBe(0, add.ToString());
        add.Stdout.ShouldContain("Registered cli-echo@1.0 (site-wide).");
        again.ExitCode.ShouldNotBe(0);
        again.Stderr.ShouldContain("is registered already");
        list.Stdout.ShouldContain("cli-echo@1.0");
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Stdout.ShouldContain("hello world");
        run.Stderr.ShouldContain("complete");
        bad.ExitCode.ShouldNotBe(0);
        bad.Stderr.ShouldContain("Input 'who' (Who) is required.");
        cancel.ExitCode.ShouldBe(0, cancel.ToString());
        show.Stdout.ShouldContain("cancelled");
        show.Stdout.ShouldContain("running");
        jobs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem().ShouldContain("cli-echo@1.0");
    }
}
