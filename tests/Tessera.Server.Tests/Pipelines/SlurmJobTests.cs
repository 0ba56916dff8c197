using Shouldly;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// A server whose jobs go to the single-node Slurm that scripts/test.sh starts (SLURM_CONF in
/// TESSERA_TEST_SLURM_CONF): each job is an sbatch submission running <c>tessera job-run</c> (the
/// CLI built with the tests), which talks to the server only over HTTP.
/// </summary>
public sealed class SlurmTestServer : TestServer
{
    public static string? Conf => Environment.GetEnvironmentVariable("TESSERA_TEST_SLURM_CONF") is { Length: > 0 } conf && File.Exists(conf) ? conf : null;

    public SlurmTestServer()
    {
        Settings["Pipelines:DefaultExecutor"] = "slurm";
        Settings["Pipelines:Slurm:Enabled"] = "true";
        Settings["Pipelines:Slurm:Conf"] = Conf;
        Settings["Pipelines:Slurm:Command"] = $"dotnet '{CliProcess.CliAssembly}'";
        Settings["Pipelines:Slurm:RunningPollMilliseconds"] = "1000";
    }
}

/// <summary>The executor tests on the <c>slurm</c> executor, against a real slurmctld and slurmd.</summary>
public sealed class SlurmJobTests(SlurmTestServer server) : ExecutorJobTests(server), IClassFixture<SlurmTestServer>
{
    private readonly SlurmTestServer _server = server;

    // The node is this machine: the data folder is there, read-only in the sandbox (on a real cluster it is absent).
    protected override bool DataFolderHidden => false;

    protected override void RequireExecutor() => RequireSlurm();

    /// <summary>Skips without bubblewrap or a Slurm to submit to; under CI their absence is a failure.</summary>
    internal static void RequireSlurm()
    {
        RequireSandbox();
        if (SlurmTestServer.Conf is not null)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail("Slurm is required under CI (scripts/test.sh starts it and sets TESSERA_TEST_SLURM_CONF)");
        Assert.Skip("no Slurm to submit to (run scripts/slurm.sh start DIR as root and set TESSERA_TEST_SLURM_CONF=DIR/slurm.conf)");
    }

    [Fact]
    public async Task Job_IsASlurmJob_TrackedByItsId()
    {
        RequireExecutor();
        using var admin = _server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("where", "echo \"slurm job $SLURM_JOB_ID on $(hostname)\"; echo \"$SLURM_JOB_ID\" > output/id.txt", null, "id.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(_server);
        using var http = _server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id);

        job.State.ShouldBe("complete", $"{job.Reason}\n{await JobApi.LogAsync(http, job.Id)}");
        job.Executor.ShouldBe("slurm");
        job.ExecutorId.ShouldNotBeNull();
        var log = await JobApi.LogAsync(http, job.Id);
        log.ShouldContain($"submitted to Slurm as job {job.ExecutorId}");
        log.ShouldContain($"slurm job {job.ExecutorId} on tessera-job");
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/where/files/id.txt")).Trim().ShouldBe(job.ExecutorId);
    }
}
