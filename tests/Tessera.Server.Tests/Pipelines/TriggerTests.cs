using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>A second node of the same site: the first's database and data folder; it evaluates triggers but runs no jobs.</summary>
public sealed class TwoNodeServer : TestServer, IAsyncLifetime
{
    public TestServer Second { get; private set; } = null!;

    public TwoNodeServer()
    {
        Settings["Pipelines:TriggerPollMilliseconds"] = "50";
    }

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        Second = new TestServer();
        Second.Settings["Storage:DataDirectory"] = DataDirectory;
        Second.Settings["Database:ConnectionString"] = Database.ConnectionString;
        Second.Settings["Pipelines:RunJobs"] = "false";
        Second.Settings["Pipelines:TriggerPollMilliseconds"] = "50";
        await Second.InitializeAsync();
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await Second.DisposeAsync();
        await DisposeAsync();
    }
}

/// <summary>
/// Trigger rules on real uploads: a file rule fires on matching files only (never on its tool's own
/// outputs), a session rule once per burst after the quiet time and only for the sessions it filters
/// for, and with two nodes evaluating the same rules each change fires once.
/// </summary>
public sealed class TriggerTests(TwoNodeServer server) : IClassFixture<TwoNodeServer>
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static async Task PutRuleAsync(HttpClient owner, string project, string name, object rule)
    {
        using var response = await owner.PutAsJsonAsync($"api/projects/{project}/triggers/{name}", rule, s_json);
        response.StatusCode.ShouldBeOneOf([HttpStatusCode.Created, HttpStatusCode.OK], await response.Content.ReadAsStringAsync());
    }

    private static async Task UploadAsync(HttpClient http, string project, string owner, string resource, string path, string text)
    {
        using var client = new TesseraClient(http);
        await using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await client.UploadFileAsync(project, owner, resource, path, content);
    }

    private static async Task<List<JobDto>> JobsAsync(HttpClient http, string project) =>
        (await http.GetFromJsonAsync<PageDto<JobDto>>($"api/projects/{project}/jobs?limit=500", s_json))!.Items.ToList();

    [Fact]
    public async Task FileRule_FiresOnMatchingFiles_NotOnOthersOrItsOwnOutputs()
    {
        RequireSandbox();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("count-nifti", "find input -name '*.nii' | wc -l > output/count.nii.txt; cp output/count.nii.txt output/copy.nii", null, "count.nii.txt"));
        var (project, owner, member) = await JobApi.ProjectAsync(server);
        using var ownerHttp = server.Http(owner);
        using var http = server.Http(member);
        await PutRuleAsync(ownerHttp, project, "on-nifti", new { tool, @event = "file", glob = "**/*.nii" });

        await UploadAsync(http, project, "subjects/S/sessions/E/scans/1", "NIFTI", "notes.txt", "not an image");
        await UploadAsync(http, project, "subjects/S/sessions/E/scans/1", "NIFTI", "t1.nii", "pretend image");

        var fired = await Poll.UntilAsync(() => JobsAsync(http, project), j => j.Count > 0 && j.All(x => x.State is "complete" or "failed"), "the rule's job ended");
        var job = fired.ShouldHaveSingleItem();
        job.State.ShouldBe("complete", job.Reason);
        job.Target.ShouldBe("subjects/S/sessions/E");
        job.SubmittedBy.ShouldBe(owner);
        (await JobApi.GetAsync(http, job.Id)).History![0].Detail.ShouldStartWith("trigger rule on-nifti (file **/*.nii stored), as ");
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/count-nifti/files/count.nii.txt")).Trim().ShouldBe("1");
        // Its own output copy.nii matches the glob, and must not fire it again: one pass reads the log to its end.
        await PassAsync(server);
        (await JobsAsync(http, project)).Count.ShouldBe(1);
        var rule = await http.GetFromJsonAsync<TriggerDto>($"api/projects/{project}/triggers/on-nifti", s_json);
        rule!.Fired.ShouldBe(1);
        var firings = await http.GetFromJsonAsync<List<TriggerFiringDto>>($"api/projects/{project}/triggers/on-nifti/firings", s_json);
        firings.ShouldHaveSingleItem().Job.ShouldBe(job.Id);
    }

    [Fact]
    public async Task SessionRule_OncePerBurst_AfterQuietTime_OnlyFilteredSessions()
    {
        RequireSandbox();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("settled", "find input -type f | sort > output/files.txt", null, "files.txt"));
        var (project, owner, member) = await JobApi.ProjectAsync(server);
        using var ownerHttp = server.Http(owner);
        using var http = server.Http(member);
        using (var client = new TesseraClient(http))
        {
            await client.PutEntityAsync(project, "subjects/S/sessions/OCT1", new EntityBody(Type: "OCT", Fields: JsonSerializer.SerializeToElement(new { eye = "OD" })));
            await client.PutEntityAsync(project, "subjects/S/sessions/OCT2", new EntityBody(Type: "OCT", Fields: JsonSerializer.SerializeToElement(new { eye = "OS" })));
            await client.PutEntityAsync(project, "subjects/S/sessions/MR1", new EntityBody(Type: "MR", Fields: JsonSerializer.SerializeToElement(new { eye = "OD" })));
        }
        await PutRuleAsync(ownerHttp, project, "oct-qc", new { tool, @event = "session", quietSeconds = 2, sessionType = "OCT", fields = new { eye = "OD" } });

        var started = DateTime.UtcNow;
        foreach (var session in new[] { "OCT1", "OCT2", "MR1" })
        {
            for (var i = 0; i < 3; i++)
                await UploadAsync(http, project, $"subjects/S/sessions/{session}", "RAW", $"b{i}.dat", $"{session} {i}");
        }

        var jobs = await Poll.UntilAsync(() => JobsAsync(http, project), j => j.Count > 0 && j.All(x => x.State is "complete" or "failed"), "the rule's job ended", TimeSpan.FromSeconds(30));
        var job = jobs.ShouldHaveSingleItem();
        job.Target.ShouldBe("subjects/S/sessions/OCT1");
        job.CreatedAt.ShouldBeGreaterThanOrEqualTo(started.AddSeconds(2), "not before the session was quiet for 2 s");
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/OCT1/resources/settled/files/files.txt"))
            .ShouldBe("input/RAW/b0.dat\ninput/RAW/b1.dat\ninput/RAW/b2.dat\n");
        // Its own outputs do not unsettle the session; a new upload is a new burst, and fires once more. The waits are the
        // rule's quiet time (2 s) and a margin; the pass after each makes sure the log was read past it.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await PassAsync(server);
        (await JobsAsync(http, project)).Count.ShouldBe(1);
        await UploadAsync(http, project, "subjects/S/sessions/OCT1", "RAW", "late.dat", "late");
        await Poll.UntilAsync(() => JobsAsync(http, project), j => j.Count == 2, "the second burst fired", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await PassAsync(server);
        (await JobsAsync(http, project)).Count.ShouldBe(2);
    }

    [Fact]
    public async Task TwoNodes_EachChangeFiresOnce()
    {
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("once", "true"));
        var (project, owner, member) = await JobApi.ProjectAsync(server);
        using var ownerHttp = server.Http(owner);
        using var http = server.Http(member);
        using var second = server.Second.Http(member);
        await PutRuleAsync(ownerHttp, project, "each-file", new { tool, @event = "file", glob = "**/*.txt" });
        using (var client = new TesseraClient(http))
        {
            for (var i = 0; i < 24; i++)
            {
                await client.PutEntityAsync(project, $"subjects/S{i}");
                await client.PutEntityAsync(project, $"subjects/S{i}/sessions/E");
            }
        }

        // Uploads through both nodes at once, while both evaluate the rule every 50 ms.
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => UploadAsync(i % 2 == 0 ? http : second, project, $"subjects/S{i}/sessions/E", "R", "a.txt", $"{i}")));

        var jobs = await Poll.UntilAsync(() => JobsAsync(http, project), j => j.Count >= 24, "every upload fired", TimeSpan.FromSeconds(30));
        await PassAsync(server);
        await PassAsync(server.Second);
        jobs = await JobsAsync(http, project);
        jobs.Count.ShouldBe(24);
        jobs.Select(j => j.Target).Distinct().Count().ShouldBe(24);
    }

    /// <summary>One pass of a node's trigger rules, run here: after it, every change logged so far has been read.</summary>
    private static Task<int> PassAsync(TestServer node) =>
        node.App.Services.GetRequiredService<Tessera.Pipelines.Triggers.TriggerDispatcher>().PassAsync(CancellationToken.None);

    private static void RequireSandbox()
    {
        if (Tessera.Pipelines.Executors.Sandbox.IsAvailable)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail("bubblewrap is required under CI (scripts/test.sh installs it)");
        Assert.Skip("bubblewrap is not installed (apt-get install bubblewrap socat)");
    }
}
