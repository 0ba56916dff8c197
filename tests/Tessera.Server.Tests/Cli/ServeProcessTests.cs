using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.Tests.Uploads;

namespace Tessera.Server.Tests.Cli;

/// <summary>
/// <c>tessera serve</c> as its own process: first start, option validation, and a kill -9 in the
/// middle of an upload (plain or tus) followed by a restart on the same data.
/// </summary>
public sealed partial class ServeProcessTests : IAsyncLifetime
{
    private readonly CliProcess _cli = new();
    private readonly string _data = Directory.CreateTempSubdirectory("tessera-serve-").FullName;
    private TestDatabase _database = null!;
    private Uri _url = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _cli.Environment["TESSERA__Database__Provider"] = _database.Provider;
        if (_database.ConnectionString is not null)
        {
            _cli.Environment["TESSERA__Database__ConnectionString"] = _database.ConnectionString;
        }
        _cli.Environment["TESSERA__Logging__LogLevel__Default"] = "Warning";
        _cli.Environment["TESSERA__Dicom__Port"] = "0";
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        _url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        _cli.Dispose();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task KilledDuringUpload_RestartSweepsThePartialFileAtOnce_RecordsNothing_KeepsEverythingElse()
    {
        string password;
        string project;
        var temporary = Path.Combine(_data, "blobs", "tmp");
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0);
        await using (var first = await StartAsync())
        {
            password = GeneratedPassword().Match(first.Output).Groups[1].Value;
            password.ShouldNotBeEmpty($"the first start prints the generated admin password:\n{first.Output}");
            using var admin = Client(password);
            project = (await admin.CreateProjectAsync(new CreateProjectRequest("crash", "Crash", null, Visibility.Private))).Id;
            await admin.PutEntityAsync(project, "subjects/S1");
            await admin.PutEntityAsync(project, "subjects/S1/sessions/E1");
            await admin.UploadFileAsync(project, "subjects/S1/sessions/E1", "R", "kept.txt", new MemoryStream("kept"u8.ToArray()));

            using var http = Http(password);
            var body = new EndlessContent();
            var upload = http.PutAsync($"api/projects/{project}/subjects/S1/sessions/E1/resources/R/files/partial.bin", body);
            await body.Sent.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Poll.UntilAsync(() => StagingFiles.In(temporary).Length == 1, "the upload is being staged");

            first.Kill();
            await Should.ThrowAsync<HttpRequestException>(upload);
        }
        var leftover = StagingFiles.In(temporary).ShouldHaveSingleItem();

        // Restarted at once: the staging file is seconds old, and its owner is gone.
        await using (var second = await StartAsync())
        {
            second.Output.ShouldNotContain("password:");
            await Poll.UntilAsync(() => !File.Exists(leftover), "the start-up sweep removes the dead server's staging file at once");
            StagingFiles.In(temporary).ShouldBeEmpty();
            using var admin = Client(password);
            var files = await admin.ListFilesAsync(project, "subjects/S1/sessions/E1", "R");
            files.Select(f => f.Path).ShouldBe(["kept.txt"]);
            var again = await admin.UploadFileAsync(project, "subjects/S1/sessions/E1", "R", "partial.bin", new MemoryStream("whole"u8.ToArray()));
            again.Size.ShouldBe(5);
        }
    }

    [Fact]
    public async Task KilledDuringATusPatch_HeadAnswersTheDurableOffset_ResumeCompletesWithTheRightSha256()
    {
        _cli.Environment["TESSERA__Uploads__CheckpointBytes"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var content = RandomNumberGenerator.GetBytes(12 << 20);
        const int SentBeforeTheCrash = 8 << 20;
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0);
        string password;
        string project;
        string url;
        long seen;
        await using (var first = await StartAsync())
        {
            password = GeneratedPassword().Match(first.Output).Groups[1].Value;
            using var admin = Client(password);
            project = (await admin.CreateProjectAsync(new CreateProjectRequest("tus-crash", "Tus crash", null, Visibility.Private))).Id;
            var tus = new TusClient(Http(password));
            url = await tus.CreateOkAsync(content.Length, TusClient.Metadata(("project", project), ("path", "big.bin")));

            var stalled = new StalledContent(content[..SentBeforeTheCrash]);
            var patch = tus.PatchAsync(url, 0, stalled);
            seen = await Poll.UntilAsync(() => tus.OffsetAsync(url), o => o >= SentBeforeTheCrash - (1 << 20),
                "the server counts the bytes as they arrive, in the middle of the request", TimeSpan.FromMinutes(1));

            first.Kill();
            stalled.GiveUp.SetResult();
            await Should.ThrowAsync<HttpRequestException>(patch);
        }

        await using (var second = await StartAsync())
        {
            var tus = new TusClient(Http(password));
            var offset = await tus.OffsetAsync(url);
            offset.ShouldBeGreaterThanOrEqualTo(seen, "an offset once reported is never lost");
            offset.ShouldBeLessThanOrEqualTo(SentBeforeTheCrash);

            await tus.PatchAsync(url, offset, content[(int)offset..]).ShouldHaveStatus(HttpStatusCode.NoContent);
            using var admin = Client(password);
            var stored = (await admin.ListFilesAsync(project, "", "FILES")).ShouldHaveSingleItem();
            stored.Sha256.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(content)), "the durable prefix and the rest make the file sent");
        }
    }

    [Fact]
    public async Task SchemaBehind_ServeRefusesWithWhatToRun_DbMigrateFixesIt()
    {
        _cli.Environment["TESSERA__Database__AutoMigrate"] = "false";
        var refused = await _cli.RunAsync("serve", "--data", _data, "--urls", _url.ToString());
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldContain("Run `tessera db migrate`");
        refused.Stderr.ShouldNotContain("   at ");
        refused.Stderr.ShouldNotContain("fail:");

        var migrate = await _cli.RunAsync("db", "migrate", "--data", _data);
        migrate.ExitCode.ShouldBe(0, migrate.ToString());
        migrate.Stdout.ShouldStartWith($"Applied 10 migrations to the {_database.Provider} database: 20261122000001_Initial, 20261122000002_Uploads, 20261122000003_DicomIndex, 20261202000001_DicomNetwork, 20261203000001_Pipelines, 20261204000001_PipelineTriggers, 20261205000001_DerivedImages, 20261210000001_DicomNodeTls, 20261211000001_Pseudonyms, 20261212000001_PseudonymStudies");
        (await _cli.RunAsync("db", "migrate", "--data", _data)).Stdout.ShouldContain("is up to date");

        _cli.Environment["TESSERA_ADMIN_PASSWORD"] = "chosen-admin-password";
        await using var server = await StartAsync();
        server.Output.ShouldNotContain("password:");
        using var admin = Client("chosen-admin-password");
        (await admin.GetMeAsync()).Admin.ShouldBeTrue();
    }

    [Fact]
    public async Task InvalidOptions_Exit2_SayingWhatToFix()
    {
        _cli.Environment["TESSERA__Database__Provider"] = "oracle";
        var result = await _cli.RunAsync("serve", "--data", _data, "--urls", _url.ToString());
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("Database:Provider is 'oracle'; set it to 'sqlite' or 'postgres'.");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task DicomPortInUse_ServeRefusesSayingWhatToSet()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0); // PostgreSQL is not migrated by serve

        var result = await _cli.RunAsync("serve", "--data", _data, "--urls", _url.ToString(), "--dicom-port", port);

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain($"The DICOM port 127.0.0.1:{port} cannot be opened");
        result.Stderr.ShouldContain("--dicom-port");
        result.Stderr.ShouldNotContain("   at ");
    }

    /// <summary>
    /// The start-up summary says where everything is; each request is one log line (regression: about twelve, and an EF
    /// Core warning at every start); with loopback HTTP the DICOM port is on loopback too (regression: every interface).
    /// </summary>
    [Fact]
    public async Task Serve_SaysWhereEverythingIs_LogsALinePerRequest_KeepsDicomOnLoopbackBesideLoopbackHttp()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var dicomPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _cli.Environment["TESSERA__Logging__LogLevel__Default"] = "Information";
        _cli.Environment["TESSERA__Dicom__Port"] = dicomPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _cli.Environment["TESSERA_ADMIN_PASSWORD"] = "summary-admin-password";
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0);

        await using var server = await StartAsync();
        using var http = Http("summary-admin-password");
        (await http.GetAsync("api/users/me")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("api/projects/no-such-project")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await Poll.UntilAsync(() => server.Output.Contains("/api/projects/no-such-project", StringComparison.Ordinal), "the request is logged");
        var lines = server.Output.Split('\n');

        var output = server.Output;
        output.ShouldContain("Tessera is serving.");
        output.ShouldContain($"web and API:  {_url.ToString().TrimEnd('/')}");
        output.ShouldContain($"DICOM:        TESSERA on 127.0.0.1:{dicomPort} (this machine only");
        output.ShouldContain($"data folder:  {_data}");
        output.ShouldContain($"database:     {_database.Provider}");
        output.ShouldContain("admin:        created now: user admin, with the password in TESSERA_ADMIN_PASSWORD");
        output.ShouldContain("tools:        ");
        output.ShouldNotContain("summary-admin-password");
        output.Contains("warn:", StringComparison.Ordinal).ShouldBeFalse(output);
        lines.Count(l => l.Contains("/api/users/me", StringComparison.Ordinal)).ShouldBe(1, output);
        lines.Where(l => l.Contains("/api/projects/no-such-project", StringComparison.Ordinal)).ShouldHaveSingleItem().ShouldContain("→ 404");
        foreach (var address in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                     .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
                     .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)))
        {
            using var outside = new TcpClient();
            await Should.ThrowAsync<SocketException>(() => outside.ConnectAsync(address, dicomPort), $"the DICOM port answers on {address}");
        }
    }

    /// <summary>
    /// A custom-field pattern with catastrophic backtracking, written by any project owner, costs a request two seconds
    /// and a clear 400 (regression: a thread spun for ever per request).
    /// </summary>
    [Fact]
    public async Task ACatastrophicSchemaPattern_GivesUpWithinSeconds_SayingWhy()
    {
        _cli.Environment["TESSERA_ADMIN_PASSWORD"] = "redos-admin-password";
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0);
        await using var server = await StartAsync();
        using var http = Http("redos-admin-password");
        (await http.PostAsync("api/projects", HttpAssertions.Json("""{"id":"redos","name":"ReDoS"}"""))).EnsureSuccessStatusCode();
        (await http.PutAsync("api/projects/redos/schemas/subject",
            HttpAssertions.Json("""{"type":"object","properties":{"x":{"type":"string","pattern":"^(a+)+$"}}}"""))).EnsureSuccessStatusCode();
        var clock = Stopwatch.StartNew();

        var refused = await http.PutAsync("api/projects/redos/subjects/R1",
            HttpAssertions.Json("""{"fields":{"x":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"}}"""));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("takes too long to match");
        (await http.PutAsync("api/projects/redos/subjects/R2", HttpAssertions.Json("""{"fields":{"x":"aaaa"}}"""))).StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    /// <summary>A configuration that cannot serve stops before the admin account is made (regression: its one-time password was shown, then lost).</summary>
    [Fact]
    public async Task InvalidConfiguration_CreatesNoAdmin_SoTheNextStartStillShowsThePassword()
    {
        (await _cli.RunAsync("db", "migrate", "--data", _data)).ExitCode.ShouldBe(0);
        _cli.Environment["TESSERA__Dicom__Tls__Port"] = "2762";
        var refused = await _cli.RunAsync("serve", "--data", _data, "--urls", _url.ToString());
        refused.ExitCode.ShouldBe(2, refused.ToString());
        refused.ToString().ShouldNotContain("password:");
        refused.ToString().ShouldNotContain("   at ");

        _cli.Environment.Remove("TESSERA__Dicom__Tls__Port");
        await using var server = await StartAsync();
        GeneratedPassword().Match(server.Output).Groups[1].Value.ShouldNotBeEmpty(server.Output);
    }

    private HttpClient Http(string password)
    {
        var http = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
        return http;
    }

    private TesseraClient Client(string password) => new(Http(password));

    private async Task<ServerProcess> StartAsync()
    {
        var server = new ServerProcess(_cli.Start("serve", "--data", _data, "--urls", _url.ToString().TrimEnd('/')));
        using var http = new HttpClient { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            if (server.Process.HasExited)
            {
                throw new ShouldAssertException($"tessera serve exited with {server.Process.ExitCode}:\n{server.Output}");
            }
            try
            {
                if ((await http.GetAsync("health/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the probe's timeout: ask again.
            }
            if (DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new TimeoutException($"tessera serve was not ready within a minute:\n{server.Output}");
            }
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"password: (\S+)")]
    private static partial Regex GeneratedPassword();

    /// <summary>A running server whose stdout and stderr are collected as they come.</summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly StringBuilder _output = new();

        public ServerProcess(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>SIGKILL: no shutdown code runs, as in a power cut or an OOM kill.</summary>
        public void Kill()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        public ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Kill();
            }
            Process.Dispose();
            return ValueTask.CompletedTask;
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>A tus chunk whose sender stalls after its first bytes, until told to give up (its server died meanwhile).</summary>
    private sealed class StalledContent : HttpContent
    {
        private readonly byte[] _bytes;

        public StalledContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new("application/offset+octet-stream");
        }

        public TaskCompletionSource GiveUp { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_bytes);
            await stream.FlushAsync();
            await GiveUp.Task;
            throw new IOException("the client gave up on the request");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    /// <summary>A request body that never ends: 8 MiB at once, then 1 MiB every 100 ms until the connection dies.</summary>
    private sealed class EndlessContent : HttpContent
    {
        public TaskCompletionSource Sent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 8; i++)
            {
                await stream.WriteAsync(chunk);
            }
            await stream.FlushAsync();
            Sent.TrySetResult();
            while (true)
            {
                await Task.Delay(100);
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
