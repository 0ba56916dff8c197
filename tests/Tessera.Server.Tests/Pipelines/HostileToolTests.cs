using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shouldly;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// What a security tester did with a registered tool, on each executor, with the server as root (as
/// CI runs it): output/ replaced by a link to a root-only host folder (the server stored the files
/// behind it and moved them into the blob store), results.json and a declared output linked to
/// /dev/zero, a FIFO or a host file; and their siblings: a descriptor's environment reaching the
/// launchers that run as root, processes left running into the collection, the job's token printed
/// into the log that every project reader sees.
/// </summary>
public abstract class HostileToolTests(TestServer server)
{
    /// <summary>Skips on a machine without what the executor needs; under CI its absence is a failure.</summary>
    protected abstract void RequireExecutor();

    /// <summary>A descriptor for this executor whose command line is <paramref name="script"/>.</summary>
    protected virtual JsonObject Tool(string name, string script, string? assessmentType = null, params string[] outputs) =>
        JobApi.Tool(name, script, assessmentType, outputs);

    /// <summary>A root-only host folder with a key and a JSON file, outside anything the server hands a tool.</summary>
    private static string Secret()
    {
        var secret = Path.Combine(Environment.IsPrivilegedProcess ? "/root" : Path.GetTempPath(), $"tessera-attack-secret-{Guid.NewGuid():N}");
        Directory.CreateDirectory(secret);
        File.WriteAllText(Path.Combine(secret, "id_rsa"), "PRIVATE KEY");
        File.WriteAllText(Path.Combine(secret, "results.json"), """{"stolen": true}""");
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return secret;
    }

    private async Task<(HttpClient Http, string Project, JobDto Job)> RunAsync(JsonObject descriptor, int seconds = 90)
    {
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, descriptor);
        var (project, _, member) = await JobApi.ProjectAsync(server);
        var http = server.Http(member);
        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id, seconds: seconds);
        return (http, project, job);
    }

    [Fact]
    public async Task OutputReplacedByALinkToAHostFolder_NothingOfItStored_ItsFilesStay()
    {
        RequireExecutor();
        var secret = Secret();
        try
        {
            // The tester's command line, then the same with a rename first.
            var (http, project, job) = await RunAsync(Tool("thief", $"""
                rm -rf output; ln -s {secret} output
                mv output gone; ln -s {secret} output
                ln -s {secret} output/inside
                echo done
                """));

            using (http)
            {
                job.State.ShouldBeOneOf("complete", "failed");
                var log = await JobApi.LogAsync(http, job.Id);
                log.ShouldContain("done");
                log.ShouldNotContain("output file(s) stored");
                var files = await http.GetAsync($"api/projects/{project}/subjects/S/sessions/E/resources/thief/files");
                if (files.StatusCode == HttpStatusCode.OK)
                    (await files.Content.ReadAsStringAsync()).ShouldNotContain("id_rsa");
            }
            File.ReadAllText(Path.Combine(secret, "id_rsa")).ShouldBe("PRIVATE KEY", "the host's file was moved away");
            File.Exists(Path.Combine(secret, "results.json")).ShouldBeTrue();
        }
        finally
        {
            Directory.Delete(secret, recursive: true);
        }
    }

    [Theory]
    [InlineData("ln -s /dev/zero output/results.json", "a symbolic link")]
    [InlineData("mkfifo output/results.json", "a FIFO")]
    [InlineData("ln -s SECRET/results.json output/results.json", "a symbolic link")]
    public async Task ResultsJsonNotARegularFile_JobFailsWithoutReadingIt(string command, string what)
    {
        RequireExecutor();
        var secret = Secret();
        try
        {
            using (var admin = server.Admin())
                (await admin.PutAsync("api/assessment-types/qc/hostile", HttpAssertions.Json("""{ "schema": { "type": "object" } }"""))).EnsureSuccessStatusCode();

            var (http, _, job) = await RunAsync(Tool($"results-thief-{Guid.NewGuid():N}"[..24], command.Replace("SECRET", secret, StringComparison.Ordinal), "qc/hostile"));

            using (http)
            {
                var log = await JobApi.LogAsync(http, job.Id);
                job.State.ShouldBe("failed", log);
                // The server says why; job-run on a node did not send it, and says why in the log.
                job.Reason.ShouldStartWith("the tool fills in assessment type 'qc/hostile' but wrote no output/results.json");
                log.ShouldContain("output/results.json is not ");
                log.ShouldContain($": it is {what}");
                job.AssessmentId.ShouldBeNull();
            }
        }
        finally
        {
            Directory.Delete(secret, recursive: true);
        }
    }

    [Fact]
    public async Task DeclaredOutputLinkedToAHostFile_JobFails()
    {
        RequireExecutor();
        var secret = Secret();
        try
        {
            var (http, project, job) = await RunAsync(Tool("report-thief", $"ln -s {secret}/id_rsa output/report.txt; echo x > output/other.txt", null, "report.txt"));

            using (http)
            {
                var log = await JobApi.LogAsync(http, job.Id);
                job.State.ShouldBe("failed", log);
                job.Reason.ShouldStartWith("declared output not written: out0 (output/report.txt");
                log.ShouldContain("output/report.txt is not ");
                log.ShouldContain(": it is a symbolic link");
                (await http.GetAsync($"api/projects/{project}/subjects/S/sessions/E/resources/report-thief/files/report.txt")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            }
        }
        finally
        {
            Directory.Delete(secret, recursive: true);
        }
    }

    /// <summary>prlimit and setpriv ran as root with the descriptor's environment: LD_PRELOAD would have loaded a project's file as root.</summary>
    [Fact]
    public async Task DescriptorsEnvironment_NeverReachesTheLaunchersThatRunAsRoot()
    {
        RequireExecutor();
        var trace = $"ld-trace-{Guid.NewGuid():N}";
        var descriptor = Tool("loader", "echo \"LD_DEBUG is $LD_DEBUG\"");
        descriptor["environment-variables"] = new JsonArray(
            new JsonObject { ["name"] = "LD_DEBUG", ["value"] = "files" },
            new JsonObject { ["name"] = "LD_DEBUG_OUTPUT", ["value"] = Path.Combine(server.DataDirectory, trace) });

        var (http, _, job) = await RunAsync(descriptor);

        using (http)
        {
            job.State.ShouldBe("complete", job.Reason);
            (await JobApi.LogAsync(http, job.Id)).ShouldContain("LD_DEBUG is files", customMessage: "the tool has its environment");
        }
        Directory.EnumerateFiles(server.DataDirectory, trace + "*").ShouldBeEmpty("a process of the host's wrote the loader's trace: it had the tool's environment");
    }

    [Fact]
    public async Task ProcessesLeftRunning_EndWithTheirJob()
    {
        RequireExecutor();
        var marker = $"survivor-{Guid.NewGuid():N}";
        var (http, _, job) = await RunAsync(Tool("daemon", $"""
            setsid sh -c 'sleep 300' {marker} > /dev/null 2>&1 &
            (sh -c 'sleep 300' {marker} > /dev/null 2>&1 &)
            nohup sh -c 'sleep 300' {marker} > /dev/null 2>&1 &
            sleep 1; echo left them running
            """));

        using (http)
        {
            job.State.ShouldBe("complete", job.Reason);
            (await JobApi.LogAsync(http, job.Id)).ShouldContain("left them running");
        }
        await Poll.UntilAsync(() => !Processes().Any(c => c.Contains(marker, StringComparison.Ordinal)), "the tool's processes ended with it", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ToolPrintsItsToken_TheLogHidesIt()
    {
        RequireExecutor();
        var (http, _, job) = await RunAsync(Tool("leaker", """
            env | grep '^TESSERA_TOKEN='
            printf 'split:%s' "$(printf %s "$TESSERA_TOKEN" | cut -c1-9)"; sleep 1; printf '%s:end\n' "$(printf %s "$TESSERA_TOKEN" | cut -c10-)"
            """));

        using (http)
        {
            job.State.ShouldBe("complete", job.Reason);
            var log = await JobApi.LogAsync(http, job.Id);
            log.ShouldContain("TESSERA_TOKEN=[job token hidden]");
            log.ShouldContain("split:[job token hidden]:end");
            Regex.IsMatch(log, "tsr_[A-Za-z0-9_-]{20}").ShouldBeFalse(log);
        }
    }

    private static List<string> Processes() => Directory.EnumerateDirectories("/proc")
        .Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0]))
        .Select(d =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' ');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return "";
            }
        }).ToList();
}

/// <summary>The hostile tools on the local executor, in the sandbox.</summary>
public sealed class LocalHostileToolTests(TestServer server) : HostileToolTests(server), IClassFixture<TestServer>
{
    protected override void RequireExecutor() => ExecutorJobTests.RequireSandbox();
}

/// <summary>A server whose local tools run unconfined (<c>Pipelines:Local:Sandbox = none</c>), still as the tool account.</summary>
public sealed class UnconfinedTestServer : TestServer
{
    public UnconfinedTestServer()
    {
        Settings["Pipelines:Local:Sandbox"] = "none";
    }
}

/// <summary>The hostile tools on the local executor without a sandbox: the collection must hold on its own.</summary>
public sealed class UnconfinedHostileToolTests(UnconfinedTestServer server) : HostileToolTests(server), IClassFixture<UnconfinedTestServer>
{
    protected override void RequireExecutor()
    {
    }
}

/// <summary>The hostile tools on the slurm executor: <c>tessera job-run</c> collects output/ as root on the node.</summary>
public sealed class SlurmHostileToolTests(SlurmTestServer server) : HostileToolTests(server), IClassFixture<SlurmTestServer>
{
    protected override void RequireExecutor() => SlurmJobTests.RequireSlurm();
}

/// <summary>The hostile tools in a container: the workspace is mounted, so its links are the host's once the container ends.</summary>
public sealed class ContainerHostileToolTests(ContainerTestServer server) : HostileToolTests(server), IClassFixture<ContainerTestServer>
{
    private readonly ContainerTestServer _server = server;

    protected override void RequireExecutor() => ContainerJobTests.RequireContainers(_server);

    protected override JsonObject Tool(string name, string script, string? assessmentType = null, params string[] outputs) =>
        ContainerJobTests.Descriptor(name, script, assessmentType, outputs);

    [Fact]
    public async Task Register_ImageThatIsAnOption_Refused()
    {
        using var admin = _server.Admin();
        var descriptor = Tool("c-rootfs", "true");
        descriptor["container-image"]!["image"] = "--rootfs";
        descriptor["shell"] = "/";

        using var response = await admin.PostAsync("api/tools", new StringContent(descriptor.ToJsonString(), System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadAsStringAsync();
        problem.ShouldContain("is not an image reference");
        problem.ShouldContain("must be an absolute path of a program");
        (await admin.GetFromJsonAsync<List<ToolDto>>("api/tools"))!.ShouldNotContain(t => t.Name == "c-rootfs");
    }
}
