using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// Batch runs with real tools: over the sessions of a type with a concurrency limit that holds (the
/// tools record their overlap), with progress and a summary; and a new tool version over every target
/// the old one completed on.
/// </summary>
public sealed class BatchTests(TestServer server) : IClassFixture<TestServer>
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static async Task<BatchDto> StartAsync(HttpClient http, string project, object body)
    {
        using var response = await http.PostAsJsonAsync($"api/projects/{project}/batches", body, s_json);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<BatchDto>(s_json))!;
    }

    private static Task<BatchDto> WaitAsync(HttpClient http, Guid batch) =>
        Poll.UntilAsync(async () => (await http.GetFromJsonAsync<BatchDto>($"api/batches/{batch}", s_json))!, b => b.Done, $"batch {batch} done", TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Batch_OverSessionsOfAType_ConcurrencyLimitHolds_ProgressAndSummary()
    {
        if (!Tessera.Pipelines.Executors.Sandbox.IsAvailable && Environment.GetEnvironmentVariable("CI") != "true")
            Assert.Skip("bubblewrap is not installed");
        using var admin = server.Admin();
        // Each job notes when it ran; the overlap of those spans is the concurrency the batch allowed.
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("span", "s=$(date +%s%N); sleep 0.4; e=$(date +%s%N); echo \"$s $e\" > output/span.txt", null, "span.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);
        using (var client = new TesseraClient(http))
        {
            foreach (var label in new[] { "A", "B", "C", "D" })
                await client.PutEntityAsync(project, $"subjects/S/sessions/{label}", new EntityBody(Type: "OCT"));
            await client.PutEntityAsync(project, "subjects/S/sessions/M", new EntityBody(Type: "MR"));
        }

        var batch = await StartAsync(http, project, new { tool, sessionType = "OCT", maxConcurrent = 1 });
        batch.Total.ShouldBe(4);
        batch.Selection.ShouldBe("all sessions, type OCT");
        batch.Counts["queued"].ShouldBeGreaterThan(0);
        var done = await WaitAsync(http, batch.Id);

        done.Counts["complete"].ShouldBe(4);
        done.Counts.Where(c => c.Key != "complete").Sum(c => c.Value).ShouldBe(0);
        done.FinishedAt.ShouldNotBeNull();
        var jobs = (await http.GetFromJsonAsync<PageDto<JobDto>>($"api/projects/{project}/jobs?batch={batch.Id}", s_json))!.Items;
        jobs.Select(j => j.Target).Order().ShouldBe(["subjects/S/sessions/A", "subjects/S/sessions/B", "subjects/S/sessions/C", "subjects/S/sessions/D"]);
        jobs.ShouldAllBe(j => j.Batch == batch.Id);
        var spans = new List<(long Start, long End)>();
        foreach (var label in new[] { "A", "B", "C", "D" })
        {
            var parts = (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/{label}/resources/span/files/span.txt")).Split(' ');
            spans.Add((long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
        }
        spans = spans.OrderBy(s => s.Start).ToList();
        for (var i = 1; i < spans.Count; i++)
            spans[i].Start.ShouldBeGreaterThanOrEqualTo(spans[i - 1].End, "one job at a time");
        var listed = await http.GetFromJsonAsync<PageDto<BatchDto>>($"api/projects/{project}/batches", s_json);
        listed!.Items.ShouldHaveSingleItem().Id.ShouldBe(batch.Id);
    }

    [Fact]
    public async Task NewVersion_OverEveryTargetTheOldOneCompletedOn()
    {
        if (!Tessera.Pipelines.Executors.Sandbox.IsAvailable && Environment.GetEnvironmentVariable("CI") != "true")
            Assert.Skip("bubblewrap is not installed");
        using var admin = server.Admin();
        var v1 = JobApi.Tool("kqi", "echo v1 > output/v.txt", null, "v.txt");
        var old = await JobApi.RegisterAsync(admin, v1);
        var v2 = JobApi.Tool("kqi", "echo v2 > output/v.txt", null, "v.txt");
        v2["tool-version"] = "2.0";
        var newer = await JobApi.RegisterAsync(admin, v2);
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);
        using (var client = new TesseraClient(http))
        {
            foreach (var label in new[] { "A", "B", "C" })
                await client.PutEntityAsync(project, $"subjects/S/sessions/{label}");
            await client.PutEntityAsync(project, "subjects/S/sessions/A/scans/7");
        }
        foreach (var target in new[] { "subjects/S/sessions/A", "subjects/S/sessions/A/scans/7", "subjects/S/sessions/B" })
            (await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, old, target)).Id)).State.ShouldBe("complete");
        var failing = JobApi.Tool("kqi-broken", "exit 1");
        var broken = await JobApi.RegisterAsync(admin, failing);
        (await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, broken, "subjects/S/sessions/C")).Id)).State.ShouldBe("failed");

        var batch = await StartAsync(http, project, new { tool = newer, processedBy = old });
        batch.Total.ShouldBe(3);
        batch.Selection.ShouldBe("every target kqi@1.0 completed on");
        (await WaitAsync(http, batch.Id)).Counts["complete"].ShouldBe(3);
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/A/scans/7/resources/kqi/files/v.txt")).ShouldBe("v2\n");
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/B/resources/kqi/files/v.txt")).ShouldBe("v2\n");

        var none = await http.PostAsJsonAsync($"api/projects/{project}/batches", new { tool = newer, processedBy = broken }, s_json);
        none.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await none.Content.ReadAsStringAsync()).ShouldContain("nothing to run");
    }
}
