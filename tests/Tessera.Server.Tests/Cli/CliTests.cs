using System.Security.Cryptography;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary>The real <c>tessera</c> CLI, run as a child process against a real server.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-cli-files-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private Task UseTokenOfAsync(string username) => _cli.UseTokenOfAsync(server, username);

    private string WriteFile(string relative, byte[] content)
    {
        var path = Path.Combine(_work, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static string Sha256Of(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task Login_WrongPassword_Exit3AndNoConfig_RightPassword_TokenSavedMode600()
    {
        var user = await server.CreateUserAsync();

        var refused = await _cli.RunWithInputAsync("not-the-password", "login", server.BaseAddress.ToString(), "-u", user, "--password-stdin");
        refused.ExitCode.ShouldBe(3, refused.ToString());
        refused.Stderr.ShouldStartWith("error: ");
        File.Exists(_cli.ConfigFile).ShouldBeFalse();

        var login = await _cli.RunWithInputAsync(TestServer.PasswordOf(user), "login", server.BaseAddress.ToString(), "-u", user, "--password-stdin");
        login.ExitCode.ShouldBe(0, login.ToString());
        login.Stdout.ShouldContain($"as {user}");
        File.GetUnixFileMode(_cli.ConfigFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(_cli.ConfigFile).ShouldNotContain(TestServer.PasswordOf(user));

        // The saved token works: the signed-in user may now create a project's first session.
        var project = await server.CreateProjectAsync(user);
        WriteFile("one.txt", "one"u8.ToArray());
        var upload = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "one.txt"));
        upload.ExitCode.ShouldBe(0, upload.ToString());
    }

    [Fact]
    public async Task Login_NotAUrl_Exit2()
    {
        var result = await _cli.RunWithInputAsync("x", "login", "ftp://example.org", "-u", "admin", "--password-stdin");
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("is not an http(s) URL");
    }

    [Fact]
    public async Task Upload_Folder_RerunSkipsStored_ChangedFileReplaced_DownloadMatches()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        await UseTokenOfAsync(user);
        var files = new Dictionary<string, byte[]>
        {
            ["scan/a.bin"] = RandomNumberGenerator.GetBytes(3_000_000),
            ["scan/notes/b c.txt"] = "second file"u8.ToArray(),
            ["scan/empty.dat"] = [],
        };
        foreach (var (path, content) in files)
        {
            WriteFile(path, content);
        }

        var first = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "scan"));
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain("Uploaded 3, skipped 0 already stored, failed 0.");
        using var client = server.Client(user);
        var stored = await client.ListFilesAsync(project, "subjects/S1/sessions/E1", "FILES");
        stored.ToDictionary(f => f.Path, f => f.Sha256).ShouldBe(new Dictionary<string, string>
        {
            ["a.bin"] = Sha256Of(files["scan/a.bin"]),
            ["empty.dat"] = Sha256Of([]),
            ["notes/b c.txt"] = Sha256Of(files["scan/notes/b c.txt"]),
        }, ignoreOrder: true);

        var again = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "scan"));
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain("Uploaded 0, skipped 3 already stored, failed 0.");

        WriteFile("scan/notes/b c.txt", "second file, edited"u8.ToArray());
        var changed = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "scan"));
        changed.Stdout.ShouldContain("Uploaded 1, skipped 2 already stored, failed 0.");

        var output = Path.Combine(_work, "out");
        var download = await _cli.RunAsync("download", $"{project}/S1/E1", "--out", output);
        download.ExitCode.ShouldBe(0, download.ToString());
        download.Stdout.ShouldContain("Downloaded 3, skipped 0 already up to date, failed 0");
        File.ReadAllBytes(Path.Combine(output, "FILES", "a.bin")).ShouldBe(files["scan/a.bin"]);
        File.ReadAllText(Path.Combine(output, "FILES", "notes", "b c.txt")).ShouldBe("second file, edited");
        File.ReadAllBytes(Path.Combine(output, "FILES", "empty.dat")).ShouldBeEmpty();
        Directory.GetFiles(output, "*.part", SearchOption.AllDirectories).ShouldBeEmpty();

        var downloadAgain = await _cli.RunAsync("download", $"{project}/S1/E1", "--out", output);
        downloadAgain.Stdout.ShouldContain("Downloaded 0, skipped 3 already up to date, failed 0");
    }

    [Fact]
    public async Task Import_FolderOfDicomAndANote_SortedThenRerunIsAllDuplicates()
    {
        var user = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync(user);
        await UseTokenOfAsync(user);
        var source = TestCorpus.File("dcm4che/testdata-series");
        var names = Directory.GetFiles(source).Order().Take(5).ToList();
        foreach (var file in names)
            WriteFile("study/" + Path.GetFileName(file), File.ReadAllBytes(file));
        WriteFile("study/notes.txt", "protocol v2"u8.ToArray());

        var first = await _cli.RunAsync("import", Path.Combine(_work, "study"), "--project", project);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldContain("Stored 5, duplicates 0, new versions 0, rejected 0, other files stored 1, not stored 0, failed 0.");
        first.Stdout.ShouldContain($"\n  {project}/583295/"); // the session filled, as a path the CLI takes

        var again = await _cli.RunAsync("import", Path.Combine(_work, "study"), "--project", project);
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldContain("Stored 0, duplicates 5");

        // A zip is sent as it is; the server expands it.
        var zip = Path.Combine(_work, "study.zip");
        System.IO.Compression.ZipFile.CreateFromDirectory(Path.Combine(_work, "study"), zip);
        var zipped = await _cli.RunAsync("import", zip, "--project", project);
        zipped.ExitCode.ShouldBe(0, zipped.ToString());
        zipped.Stdout.ShouldContain("Stored 0, duplicates 5, new versions 0, rejected 0, other files stored 1, not stored 0");
    }

    [Fact]
    public async Task Upload_IntoScan_DownloadPutsScanFilesUnderScans()
    {
        var project = await server.CreateProjectAsync();
        await UseTokenOfAsync("admin");
        var dicom = WriteFile("1.dcm", RandomNumberGenerator.GetBytes(10_000));

        var upload = await _cli.RunAsync("upload", $"{project}/S1/E1/3", dicom, "-r", "DICOM");
        upload.ExitCode.ShouldBe(0, upload.ToString());

        var output = Path.Combine(_work, "out");
        (await _cli.RunAsync("download", $"{project}/S1/E1", "--out", output)).ExitCode.ShouldBe(0);
        File.ReadAllBytes(Path.Combine(output, "scans", "3", "DICOM", "1.dcm")).ShouldBe(File.ReadAllBytes(dicom));
    }

    [Fact]
    public async Task Upload_LargeFileKilledMidway_RerunResumesFromTheServersOffset()
    {
        var project = await server.CreateProjectAsync();
        await UseTokenOfAsync("admin");
        // Chunks of 1 MiB give the test many moments at which to interrupt the upload.
        _cli.Environment["TESSERA_CHUNK_BYTES"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var big = RandomNumberGenerator.GetBytes(48 << 20);
        WriteFile("run/big.bin", big);
        var states = Path.Combine(_cli.Home, ".config", "tessera", "uploads");
        using var client = new TesseraClient(server.Admin());

        long offsetAtKill;
        using (var upload = _cli.Start("upload", $"{project}/S1/E1", Path.Combine(_work, "run"), "-j", "1"))
        {
            upload.StandardInput.Close();
            var stdout = upload.StandardOutput.ReadToEndAsync();
            var stderr = upload.StandardError.ReadToEndAsync();
            string? url = null;
            var state = await Poll.UntilAsync(async () =>
            {
                url ??= UploadUrlIn(states);
                return url is null ? null : await client.GetUploadAsync(url);
            }, s => upload.HasExited || s is { Offset: >= 4 << 20 }, "the upload is under way", TimeSpan.FromMinutes(2));
            if (upload.HasExited)
            {
                throw new ShouldAssertException($"the upload finished before it could be interrupted: {await stdout} {await stderr}");
            }
            upload.Kill(entireProcessTree: true);
            await upload.WaitForExitAsync();
            offsetAtKill = state!.Offset;
        }
        using (var partial = new TesseraClient(server.Admin()))
        {
            (await partial.ListFilesAsync(project, "subjects/S1/sessions/E1", "FILES")).ShouldBeEmpty();
        }

        var rerun = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "run"));
        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        rerun.Stdout.ShouldContain("Uploaded 1, skipped 0 already stored, failed 0.");
        rerun.Stdout.ShouldContain("1 upload resumed where an earlier run stopped.");
        var resumed = System.Text.RegularExpressions.Regex.Match(rerun.Stderr, @"Resuming big\.bin from byte (\d+) of (\d+) ");
        resumed.Success.ShouldBeTrue(rerun.ToString());
        var from = long.Parse(resumed.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        from.ShouldBeGreaterThanOrEqualTo(offsetAtKill);
        long.Parse(resumed.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(big.Length);
        // What the second run sent: the rest, counted from the server's offset (not the whole file again).
        var sent = System.Text.RegularExpressions.Regex.Match(rerun.Stderr, @"1 of 1 file done, ([\d.]+) MB uploaded");
        sent.Success.ShouldBeTrue(rerun.ToString());
        double.Parse(sent.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            .ShouldBe((big.Length - from) / 1e6, tolerance: 0.1);

        var file = (await client.ListFilesAsync(project, "subjects/S1/sessions/E1", "FILES")).ShouldHaveSingleItem();
        file.Sha256.ShouldBe(Sha256Of(big));
        Directory.GetFiles(states, "*.json").ShouldBeEmpty("the state file goes once the upload completes");
    }

    private static string? UploadUrlIn(string folder)
    {
        var file = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.json").SingleOrDefault() : null;
        return file is null ? null : System.Text.Json.JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("url").GetString();
    }

    [Fact]
    public async Task NotLoggedIn_Exit3WithWhatToDo()
    {
        WriteFile("x.txt", "x"u8.ToArray());
        var result = await _cli.RunAsync("upload", "p/S1/E1", Path.Combine(_work, "x.txt"));
        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("tessera login URL");
    }

    [Fact]
    public async Task Upload_BadTargetOrMissingPath_Exit2()
    {
        await UseTokenOfAsync("admin");
        var badTarget = await _cli.RunAsync("upload", "only/two", _work);
        badTarget.ExitCode.ShouldBe(2, badTarget.ToString());
        badTarget.Stderr.ShouldStartWith("error: ");

        var badLabel = await _cli.RunAsync("upload", "p/S 1/E1", _work);
        badLabel.ExitCode.ShouldBe(2, badLabel.ToString());
        badLabel.Stderr.ShouldContain("The subject label 'S 1' is not valid");

        var missing = await _cli.RunAsync("upload", "p/S1/E1", Path.Combine(_work, "nope"));
        missing.ExitCode.ShouldBe(2, missing.ToString());
        missing.Stderr.ShouldContain("is neither a file nor a folder");
    }

    [Fact]
    public async Task Upload_PrivateProjectOfSomeoneElse_Exit1NotFound_CollaboratorRefused()
    {
        var outsider = await server.CreateUserAsync();
        var collaborator = await server.CreateUserAsync();
        var project = await server.CreateProjectAsync();
        using (var admin = new TesseraClient(server.Admin()))
        {
            await admin.SetMemberAsync(project, collaborator, Role.Collaborator);
            await admin.PutEntityAsync(project, "subjects/S1");
            await admin.PutEntityAsync(project, "subjects/S1/sessions/E1");
        }
        WriteFile("x.txt", "x"u8.ToArray());

        await UseTokenOfAsync(outsider);
        var hidden = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "x.txt"));
        hidden.ExitCode.ShouldBe(1, hidden.ToString());
        hidden.Stderr.ShouldContain($"no such project {project}");
        hidden.Stderr.ShouldNotContain("Exception");

        await UseTokenOfAsync(collaborator);
        var refused = await _cli.RunAsync("upload", $"{project}/S1/E1", Path.Combine(_work, "x.txt"));
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldStartWith("error: ");
    }

    [Fact]
    public async Task UsersAdd_AdminCreates_NonAdminRefused()
    {
        await UseTokenOfAsync("admin");
        var name = "cli" + Guid.NewGuid().ToString("N")[..8];
        var created = await _cli.RunWithInputAsync("new-user-password-1", "users", "add", name, "--email", $"{name}@example.org", "--password-stdin");
        created.ExitCode.ShouldBe(0, created.ToString());
        created.Stdout.ShouldContain($"Created user {name}.");
        using (var asNew = new TesseraClient(server.Http(name, "new-user-password-1")))
        {
            (await asNew.GetMeAsync()).Username.ShouldBe(name);
        }

        await UseTokenOfAsync(await server.CreateUserAsync());
        var refused = await _cli.RunWithInputAsync("another-password-1", "users", "add", "x" + name, "--password-stdin");
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldStartWith("error: ");
    }
}
