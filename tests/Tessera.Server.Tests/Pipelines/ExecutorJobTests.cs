using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// Real tools (bash and coreutils) on one executor, in the bubblewrap sandbox: measures computed on
/// a real NIfTI file and recorded as an assessment, a failing tool, a timeout, a tool that tries to
/// write outside its workspace, a cancelled job, a retry, and a tool that calls the API. Each
/// executor's class runs them all against its own server.
/// </summary>
public abstract class ExecutorJobTests(TestServer server)
{
    private const string Nifti = "libvips/avg152T1_LR_nifti.nii.gz";

    /// <summary>Skips on a machine without what the executor needs; under CI its absence is a failure.</summary>
    protected abstract void RequireExecutor();

    /// <summary>Whether the server's data folder is hidden from the tool (on a batch node it is simply not there).</summary>
    protected virtual bool DataFolderHidden => true;

    /// <summary>Skips on a machine without bubblewrap; under CI its absence is a failure.</summary>
    public static void RequireSandbox()
    {
        if (Tessera.Pipelines.Executors.Sandbox.IsAvailable)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail("bubblewrap is required under CI (scripts/test.sh installs it)");
        Assert.Skip("bubblewrap is not installed (apt-get install bubblewrap socat)");
    }

    [Fact]
    public async Task Measures_OnRealNifti_StoredAsFilesAndQueryableAssessment()
    {
        RequireExecutor();
        using var admin = server.Admin();
        (await admin.PutAsync("api/assessment-types/qc/nifti-dims", HttpAssertions.Json("""
            { "schema": { "type": "object", "required": ["nx", "ny", "nz", "voxels"],
                          "properties": { "nx": { "type": "integer" }, "ny": { "type": "integer" }, "nz": { "type": "integer" },
                                          "voxels": { "type": "integer" }, "bytes": { "type": "integer" } } } }
            """))).EnsureSuccessStatusCode();
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using (var client = new TesseraClient(server.Http(member)))
        {
            await using var nifti = File.OpenRead(TestCorpus.File(Nifti));
            await client.UploadFileAsync(project, "subjects/S/sessions/E/scans/1", "NIFTI", "t1.nii.gz", nifti);
        }
        // dim[1..3] are three int16 at byte 42 of the NIfTI-1 header.
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("nifti-dims", """
            set -euo pipefail
            f=$(find input -name '*.nii.gz' | head -1)
            # The header's first field is its size, 348: read in the file's byte order or not.
            endian=little; [ "$(gzip -dc "$f" | od -An -t d4 -N 4 | tr -d ' ')" = 348 ] || endian=big
            read nx ny nz < <(gzip -dc "$f" | od -An --endian=$endian -t d2 -j 42 -N 6)
            bytes=$(stat -c %s "$f")
            echo "measured $f: $nx x $ny x $nz"
            printf '{"nx":%d,"ny":%d,"nz":%d,"voxels":%d,"bytes":%d}\n' "$nx" "$ny" "$nz" $((nx*ny*nz)) "$bytes" > output/results.json
            echo "$nx $ny $nz" > output/dims.txt
            """, "qc/nifti-dims", "dims.txt"));
        using var http = server.Http(member);

        var submitted = await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E");
        var job = await JobApi.WaitAsync(http, submitted.Id);

        job.State.ShouldBe("complete", $"{job.Reason}\n{await JobApi.LogAsync(http, job.Id)}");
        job.ExitCode.ShouldBe(0);
        job.AssessmentId.ShouldNotBeNull();
        job.History!.Select(h => h.State).ShouldBe(["queued", "staging", "running", "finalizing", "complete"]);
        (await JobApi.LogAsync(http, job.Id, "?stream=stdout")).ShouldContain("measured input/scans/1/NIFTI/t1.nii.gz: 91 x 109 x 91");
        var dims = await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/nifti-dims/files/dims.txt");
        dims.Trim().ShouldBe("91 109 91");

        var found = await http.GetFromJsonAsync<PageDto<AssessmentDto>>($"api/projects/{project}/assessments?type=qc/nifti-dims&where=voxels>900000&where=nx=91");
        var assessment = found!.Items.ShouldHaveSingleItem();
        assessment.Values.GetProperty("voxels").GetInt32().ShouldBe(91 * 109 * 91);
        assessment.Values.GetProperty("bytes").GetInt64().ShouldBe(new FileInfo(TestCorpus.File(Nifti)).Length);
        assessment.Tool.ShouldBe(tool);
        assessment.Job.ShouldBe(job.Id);
        (await http.GetFromJsonAsync<PageDto<AssessmentDto>>($"api/projects/{project}/assessments?type=qc/nifti-dims&where=voxels<1000"))!.Total.ShouldBe(0);
        var csv = await http.GetStringAsync($"api/projects/{project}/assessments?type=qc/nifti-dims&format=csv");
        csv.Split("\r\n")[0].ShouldBe("subject,session,scan,type,tool,job,created,bytes,nx,ny,nz,voxels");
        csv.Split("\r\n")[1].ShouldStartWith($"S,E,,qc/nifti-dims,{tool},{job.Id},");
        csv.Split("\r\n")[1].ShouldEndWith(",91,109,91,902629");
    }

    [Fact]
    public async Task Failing_ExitCodeAndItsMeaning_LogKept_NoOutputsStored()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var descriptor = JobApi.Tool("fails", "echo 'about to fail' >&2; echo partial > output/partial.txt; exit 3", null);
        descriptor["error-codes"] = JsonSerializer.SerializeToNode(new[] { new { code = 3, description = "no usable image" } });
        var tool = await JobApi.RegisterAsync(admin, descriptor);
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id);

        job.State.ShouldBe("failed");
        job.ExitCode.ShouldBe(3);
        job.Reason.ShouldBe("the tool exited with code 3 (no usable image)");
        (await JobApi.LogAsync(http, job.Id, "?stream=stderr")).ShouldStartWith("[tessera] attempt 1 of 1");
        (await JobApi.LogAsync(http, job.Id)).ShouldContain("about to fail");
        (await http.GetAsync($"api/projects/{project}/subjects/S/sessions/E/resources/fails/files")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Timeout_ToolAndChildrenStopped_Failed()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("sleeper", "sleep 120 & sleep 120; wait"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E", new { timeoutSeconds = 2 })).Id);

        job.State.ShouldBe("failed");
        job.Reason.ShouldStartWith("timed out after 2 s");
        job.FinishedAt!.Value.ShouldBeLessThan(job.StartedAt!.Value.AddSeconds(15));
        Directory.EnumerateDirectories(Path.Combine(server.DataDirectory, "jobs")).ShouldNotContain(d => d.Contains(job.Id.ToString("N"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task WriteOutsideWorkspace_SandboxBlocksIt()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var escape = Path.Combine(server.DataDirectory, "escaped.txt");
        var etc = $"/etc/tessera-escape-{Guid.NewGuid():N}";
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("escaper", $"""
            echo x > {etc} && echo "wrote {etc}"
            echo x > {escape} && echo "wrote into the data folder"
            ls -R {server.DataDirectory} > output/seen.txt
            touch /tmp/private && echo "tmp is writable"
            """, null, "seen.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id);

        job.State.ShouldBe("complete", job.Reason);
        var log = await JobApi.LogAsync(http, job.Id);
        log.ShouldContain("Read-only file system");
        log.ShouldNotContain($"wrote {etc}");
        File.Exists(etc).ShouldBeFalse();
        File.Exists(escape).ShouldBeFalse("the data folder is hidden, or read-only, in the sandbox");
        if (DataFolderHidden)
        {
            var seen = await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/escaper/files/seen.txt");
            seen.ShouldNotContain("keys");
            seen.ShouldNotContain(".db");
            seen.ShouldContain("seen.txt"); // its own workspace, the one thing there
        }
    }

    /// <summary>
    /// Regression: as root, bubblewrap's --uid 65534 was still uid 0 outside, and the whole root file
    /// system was mounted, so a tool read /etc/shadow and any configuration file. A tool now runs as
    /// the unprivileged tool account and sees only the system's programs and a short list of /etc.
    /// </summary>
    [Fact]
    public async Task AHostileTool_NeverRunsAsHostRoot_AndSeesNoHostSecrets()
    {
        RequireExecutor();
        var canary = $"/etc/tessera-canary-{Guid.NewGuid():N}.conf";
        await File.WriteAllTextAsync(canary, "Password=canary"); // readable by all (umask 022): only the mounts keep it out
        try
        {
            using var admin = server.Admin();
            var marker = $"probe-{Guid.NewGuid():N}";
            var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("prober", $"""
                sh -c 'sleep 4; true' {marker}
                cat /etc/shadow && echo "READ shadow"
                cat {canary} && echo "READ canary"
                ls /root && echo "LISTED root"
                ls /home/* && echo "LISTED home"
                ls /var/lib && echo "LISTED var"
                echo done
                """));
            var (project, _, member) = await JobApi.ProjectAsync(server);
            using var http = server.Http(member);

            var submitted = await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E");
            var uid = await JobApi.HostUidOfAsync(marker);
            var job = await JobApi.WaitAsync(http, submitted.Id);

            job.State.ShouldBe("complete", job.Reason);
            var log = await JobApi.LogAsync(http, job.Id);
            log.ShouldContain("done");
            log.ShouldNotContain("READ");
            log.ShouldNotContain("LISTED");
            uid.ShouldNotBe(0, "the tool ran as host root");
        }
        finally
        {
            File.Delete(canary);
        }
    }

    [Fact]
    public async Task Cancel_RunningJob_StoppedAndCancelled()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("long", "echo started; sleep 300"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);
        var submitted = await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E");
        await Poll.UntilAsync(() => JobApi.LogAsync(http, submitted.Id), l => l.Contains("started", StringComparison.Ordinal), "the tool ran");

        (await http.PostAsync($"api/jobs/{submitted.Id}/cancel", null)).EnsureSuccessStatusCode();
        var job = await JobApi.WaitAsync(http, submitted.Id, seconds: 20);

        job.State.ShouldBe("cancelled");
        job.Reason.ShouldBe($"cancelled by {member}");
        job.History!.Select(h => h.State).ShouldBe(["queued", "staging", "running", "cancelled"]);
        using var outsider = server.Http(await server.CreateUserAsync());
        (await outsider.PostAsync($"api/jobs/{submitted.Id}/cancel", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await outsider.GetAsync($"api/jobs/{submitted.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Retry_SecondAttemptSucceeds_BothInHistory()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("flaky", """
            [ "$TESSERA_ATTEMPT" -ge 2 ] || { echo "attempt $TESSERA_ATTEMPT fails" >&2; exit 1; }
            echo ok > output/ok.txt
            """, null, "ok.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E/scans/1",
            new { maxAttempts = 2, retryDelaySeconds = 0 })).Id);

        job.State.ShouldBe("complete", job.Reason);
        job.Attempt.ShouldBe(2);
        job.History!.Select(h => h.State).ShouldBe(["queued", "staging", "running", "queued", "staging", "running", "finalizing", "complete"]);
        (await JobApi.LogAsync(http, job.Id, "?attempt=1")).ShouldContain("attempt 1 fails");
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/scans/1/resources/flaky/files/ok.txt")).ShouldBe("ok\n");
    }

    [Fact]
    public async Task ApiFromSandbox_WithJobToken_ProjectOnly()
    {
        RequireExecutor();
        using var admin = server.Admin();
        var other = await server.CreateProjectAsync();
        var tool = await JobApi.RegisterAsync(admin, JobApi.Tool("caller", $$"""
            set -u
            auth="Authorization: Bearer $TESSERA_TOKEN"
            curl -s -o output/project.json -w '%{http_code}\n' -H "$auth" "$TESSERA_URL/api/projects/$TESSERA_PROJECT" > output/codes.txt
            curl -s -o /dev/null -w '%{http_code}\n' -H "$auth" "$TESSERA_URL/api/projects/{{other}}" >> output/codes.txt
            curl -s -o /dev/null -w '%{http_code}\n' -H "$auth" -H 'content-type: application/json' -d '{"name":"x","expiresInDays":1}' "$TESSERA_URL/api/tokens" >> output/codes.txt
            curl -s -o /dev/null -w '%{http_code}\n' --max-time 3 https://example.org/ >> output/codes.txt || echo blocked >> output/codes.txt
            """, null, "codes.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id);

        job.State.ShouldBe("complete", $"{job.Reason}\n{await JobApi.LogAsync(http, job.Id)}");
        var codes = (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/caller/files/codes.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        codes.ShouldBe(["200", "404", "403", "000", "blocked"], string.Join(" ", codes) + "\n" + await JobApi.LogAsync(http, job.Id));
        (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/caller/files/project.json")).ShouldContain($"\"id\":\"{project}\"");
    }
}
