using System.Diagnostics;
using Shouldly;
using Tessera.Client;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Pipelines;

/// <summary>
/// A server whose container executor runs podman with runc, and an image built here from a tarball
/// (busybox-static and its applets, imported with <c>podman import</c>): no registry is reached.
/// </summary>
public sealed class ContainerTestServer : TestServer, IAsyncLifetime
{
    public const string Image = "localhost/tessera-test-busybox:1";

    public string? Missing { get; private set; }

    public ContainerTestServer()
    {
        Settings["Pipelines:Container:Runtime"] = "runc";
    }

    async ValueTask IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var busybox = new[] { "/bin/busybox", "/usr/bin/busybox" }.FirstOrDefault(File.Exists);
        if (Tessera.Pipelines.Executors.Sandbox.Find("podman") is null || busybox is null)
        {
            Missing = "podman or busybox-static is not installed (apt-get install podman runc busybox-static)";
            return;
        }
        var root = Path.Combine(Path.GetTempPath(), "tessera-rootfs-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "bin"));
            Directory.CreateDirectory(Path.Combine(root, "tmp"));
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            File.Copy(busybox, Path.Combine(root, "bin", "busybox"));
            var applets = (await RunAsync(busybox, "--list")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var applet in applets.Where(a => a != "busybox"))
                File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
            var tar = root + ".tar";
            await RunAsync("tar", "-C", root, "-cf", tar, ".");
            await RunAsync("podman", "--runtime", "runc", "import", tar, Image);
            File.Delete(tar);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit {process.ExitCode}: {error}");
        return output;
    }
}

/// <summary>Real tools in a real container image, on the container executor (podman, runc).</summary>
public sealed class ContainerJobTests(ContainerTestServer server) : IClassFixture<ContainerTestServer>
{
    private void RequireContainers() => RequireContainers(server);

    /// <summary>Skips without podman or busybox-static; under CI their absence is a failure.</summary>
    internal static void RequireContainers(ContainerTestServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (server.Missing is null)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail($"under CI the container executor is tested: {server.Missing}");
        Assert.Skip(server.Missing);
    }

    private static System.Text.Json.Nodes.JsonObject Tool(string name, string script, params string[] outputs) => Descriptor(name, script, null, outputs);

    /// <summary>A descriptor for a busybox sh tool in the test image, on the container executor.</summary>
    public static System.Text.Json.Nodes.JsonObject Descriptor(string name, string script, string? assessmentType, params string[] outputs)
    {
        var descriptor = JobApi.Tool(name, script, assessmentType, outputs);
        descriptor["shell"] = "/bin/sh";
        descriptor["container-image"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "docker", ["image"] = ContainerTestServer.Image };
        descriptor["custom"] ??= new System.Text.Json.Nodes.JsonObject();
        descriptor["custom"]!["tessera:executor"] = "container";
        return descriptor;
    }

    [Fact]
    public async Task Measures_RealNifti_InTheImage_ReadOnlyRoot()
    {
        RequireContainers();
        using var admin = server.Admin();
        var tool = await JobApi.RegisterAsync(admin, Tool("c-size", """
            f=$(find input -name '*.nii.gz' | head -1)
            echo "$(wc -c < "$f") $(gzip -dc "$f" | wc -c)" > output/sizes.txt
            echo x > /etc/escape || echo "root is read-only"
            cat /etc/os-release 2>/dev/null || echo "busybox image"
            """, "sizes.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);
        using (var client = new TesseraClient(http))
        {
            await using var nifti = File.OpenRead(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz"));
            await client.UploadFileAsync(project, "subjects/S/sessions/E", "NIFTI", "t1.nii.gz", nifti);
        }

        var job = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E")).Id, seconds: 90);

        job.State.ShouldBe("complete", $"{job.Reason}\n{await JobApi.LogAsync(http, job.Id)}");
        job.Executor.ShouldBe("container");
        var sizes = (await http.GetStringAsync($"api/projects/{project}/subjects/S/sessions/E/resources/c-size/files/sizes.txt")).Trim().Split(' ');
        long.Parse(sizes[0], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(new FileInfo(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz")).Length);
        await using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(TestCorpus.File("libvips/avg152T1_LR_nifti.nii.gz")), System.IO.Compression.CompressionMode.Decompress))
        {
            var unpacked = 0L;
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await gz.ReadAsync(buffer)) > 0)
                unpacked += read;
            long.Parse(sizes[1], System.Globalization.CultureInfo.InvariantCulture).ShouldBe(unpacked);
        }
        var log = await JobApi.LogAsync(http, job.Id);
        log.ShouldContain("root is read-only");
        log.ShouldContain("busybox image", customMessage: "the tool ran in the image, not on the host");
    }

    /// <summary>Rootful podman ran the image's user, root, as host root: the tool now has the tool account's uid.</summary>
    [Fact]
    public async Task AContainerTool_NeverRunsAsHostRoot()
    {
        RequireContainers();
        using var admin = server.Admin();
        var marker = $"probe-{Guid.NewGuid():N}";
        var tool = await JobApi.RegisterAsync(admin, Tool("c-uid", $"sh -c 'sleep 4; true' {marker}; echo x > output/x.txt", "x.txt"));
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var submitted = await JobApi.SubmitAsync(http, project, tool, "subjects/S/sessions/E");
        var uid = await JobApi.HostUidOfAsync(marker);
        var job = await JobApi.WaitAsync(http, submitted.Id, seconds: 90);

        job.State.ShouldBe("complete", $"{job.Reason}\n{await JobApi.LogAsync(http, job.Id)}");
        uid.ShouldNotBe(0, "the tool ran as host root");
    }

    [Fact]
    public async Task Failing_Timeout_AndMissingImage_ClearReasons()
    {
        RequireContainers();
        using var admin = server.Admin();
        var fails = await JobApi.RegisterAsync(admin, Tool("c-fails", "echo bad >&2; exit 4"));
        var sleeps = await JobApi.RegisterAsync(admin, Tool("c-sleeps", "sleep 120"));
        var missing = Tool("c-missing", "true");
        missing["container-image"]!["image"] = "localhost/no-such-image:1";
        var noImage = await JobApi.RegisterAsync(admin, missing);
        var (project, _, member) = await JobApi.ProjectAsync(server);
        using var http = server.Http(member);

        var failed = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, fails, "subjects/S/sessions/E")).Id, seconds: 90);
        failed.State.ShouldBe("failed");
        failed.Reason.ShouldBe("the tool exited with code 4");
        (await JobApi.LogAsync(http, failed.Id)).ShouldContain("bad");

        var timedOut = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, sleeps, "subjects/S/sessions/E", new { timeoutSeconds = 3 })).Id, seconds: 90);
        timedOut.State.ShouldBe("failed");
        timedOut.Reason.ShouldStartWith("timed out after 3 s");

        var noSuch = await JobApi.WaitAsync(http, (await JobApi.SubmitAsync(http, project, noImage, "subjects/S/sessions/E")).Id, seconds: 90);
        noSuch.State.ShouldBe("failed");
        noSuch.Reason!.ShouldContain("could not run the container");
        (await JobApi.LogAsync(http, noSuch.Id)).ShouldContain("no-such-image");
    }
}
