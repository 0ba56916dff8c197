using System.Security.Cryptography;
using System.Text.Json;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary><c>tessera ls</c>, <c>projects</c> and <c>download</c> at every level, through the real CLI.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliBrowseTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-cli-browse-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private Task UseTokenOfAsync(string username) => _cli.UseTokenOfAsync(server, username);

    /// <summary>
    /// A project of <paramref name="owner"/> with files at every level: the subject S1 (NOTES/n.txt),
    /// sessions S1/E1 (FILES/a.txt, scan 2 with DICOM/x.dcm) and S2/E1 (FILES/b.bin, 2 MB).
    /// </summary>
    private async Task<(string Project, Dictionary<string, byte[]> Files)> ArchiveAsync(string owner)
    {
        var project = await server.CreateProjectAsync(owner);
        using var client = server.Client(owner);
        var files = new Dictionary<string, byte[]>
        {
            ["subjects/S1|NOTES|n.txt"] = "a note"u8.ToArray(),
            ["subjects/S1/sessions/E1|FILES|a.txt"] = "first"u8.ToArray(),
            ["subjects/S1/sessions/E1/scans/2|DICOM|x.dcm"] = RandomNumberGenerator.GetBytes(5_000),
            ["subjects/S2/sessions/E1|FILES|b.bin"] = RandomNumberGenerator.GetBytes(2_000_000),
        };
        foreach (var path in new[] { "subjects/S1", "subjects/S1/sessions/E1", "subjects/S1/sessions/E1/scans/2", "subjects/S2", "subjects/S2/sessions/E1" })
        {
            await client.PutEntityAsync(project, path);
        }
        foreach (var (key, content) in files)
        {
            var parts = key.Split('|');
            await client.UploadFileAsync(project, parts[0], parts[1], parts[2], new MemoryStream(content));
        }
        return (project, files);
    }

    [Fact]
    public async Task Download_EachLevel_HierarchyAsFolders_RerunSkipsAll()
    {
        var user = await server.CreateUserAsync();
        var (project, files) = await ArchiveAsync(user);
        await UseTokenOfAsync(user);

        var all = Path.Combine(_work, "all");
        var wholeProject = await _cli.RunAsync("download", project, "--out", all);
        wholeProject.ExitCode.ShouldBe(0, wholeProject.ToString());
        wholeProject.Stdout.ShouldContain("Downloaded 4, skipped 0 already up to date, failed 0");
        File.ReadAllBytes(Path.Combine(all, "S1", "NOTES", "n.txt")).ShouldBe(files["subjects/S1|NOTES|n.txt"]);
        File.ReadAllBytes(Path.Combine(all, "S1", "E1", "FILES", "a.txt")).ShouldBe(files["subjects/S1/sessions/E1|FILES|a.txt"]);
        File.ReadAllBytes(Path.Combine(all, "S1", "E1", "scans", "2", "DICOM", "x.dcm")).ShouldBe(files["subjects/S1/sessions/E1/scans/2|DICOM|x.dcm"]);
        File.ReadAllBytes(Path.Combine(all, "S2", "E1", "FILES", "b.bin")).ShouldBe(files["subjects/S2/sessions/E1|FILES|b.bin"]);
        Directory.GetFiles(all, "*", SearchOption.AllDirectories).Length.ShouldBe(4);

        var again = await _cli.RunAsync("download", project, "--out", all);
        again.Stdout.ShouldContain("Downloaded 0, skipped 4 already up to date, failed 0");

        var subject = await _cli.RunAsync("download", $"{project}/S1", "--out", Path.Combine(_work, "subject"));
        subject.ExitCode.ShouldBe(0, subject.ToString());
        File.Exists(Path.Combine(_work, "subject", "NOTES", "n.txt")).ShouldBeTrue();
        File.Exists(Path.Combine(_work, "subject", "E1", "scans", "2", "DICOM", "x.dcm")).ShouldBeTrue();
        Directory.GetFiles(Path.Combine(_work, "subject"), "*", SearchOption.AllDirectories).Length.ShouldBe(3);

        var session = await _cli.RunAsync("download", $"{project}/S1/E1", "--out", Path.Combine(_work, "session"));
        session.ExitCode.ShouldBe(0, session.ToString());
        File.Exists(Path.Combine(_work, "session", "FILES", "a.txt")).ShouldBeTrue();
        File.Exists(Path.Combine(_work, "session", "scans", "2", "DICOM", "x.dcm")).ShouldBeTrue();

        var scan = await _cli.RunAsync("download", $"{project}/S1/E1/2", "--out", Path.Combine(_work, "scan"));
        scan.ExitCode.ShouldBe(0, scan.ToString());
        Directory.GetFiles(Path.Combine(_work, "scan"), "*", SearchOption.AllDirectories)
            .ShouldBe([Path.Combine(_work, "scan", "DICOM", "x.dcm")]);
        scan.Stderr.ShouldContain("1 of 1 file done");
    }

    [Fact]
    public async Task Download_PartFileLeftByAnInterruptedRun_ContinuedAndVerified()
    {
        var user = await server.CreateUserAsync();
        var (project, files) = await ArchiveAsync(user);
        await UseTokenOfAsync(user);
        var output = Path.Combine(_work, "out");
        var content = files["subjects/S2/sessions/E1|FILES|b.bin"];
        Directory.CreateDirectory(Path.Combine(output, "FILES"));
        File.WriteAllBytes(Path.Combine(output, "FILES", "b.bin.part"), content[..1_000_000]);

        var result = await _cli.RunAsync("download", $"{project}/S2/E1", "--out", output);

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllBytes(Path.Combine(output, "FILES", "b.bin")).ShouldBe(content);
        File.Exists(Path.Combine(output, "FILES", "b.bin.part")).ShouldBeFalse();
        // Only the second half crossed the network.
        result.Stderr.ShouldContain("1.0 MB downloaded");
    }

    [Fact]
    public async Task Download_UnknownPaths_Exit1NamingTheMissingLevel()
    {
        var user = await server.CreateUserAsync();
        var (project, _) = await ArchiveAsync(user);
        await UseTokenOfAsync(user);

        var subject = await _cli.RunAsync("download", $"{project}/S9", "--out", Path.Combine(_work, "x"));
        subject.ExitCode.ShouldBe(1, subject.ToString());
        subject.Stderr.ShouldBe($"error: no such subject S9 in project {project}.\n");

        var session = await _cli.RunAsync("download", $"{project}/S1/E9", "--out", Path.Combine(_work, "x"));
        session.Stderr.ShouldContain($"no such session E9 in {project}/S1.");
        var scan = await _cli.RunAsync("ls", $"{project}/S1/E1/9");
        scan.ExitCode.ShouldBe(1, scan.ToString());
        scan.Stderr.ShouldContain($"no such scan 9 in {project}/S1/E1.");

        // Someone else's private project is not revealed, but named as missing all the same.
        var other = await server.CreateProjectAsync();
        var hidden = await _cli.RunAsync("download", other, "--out", Path.Combine(_work, "x"));
        hidden.ExitCode.ShouldBe(1, hidden.ToString());
        hidden.Stderr.ShouldContain($"no such project {other}");
        Directory.Exists(Path.Combine(_work, "x")).ShouldBeFalse();
    }

    [Fact]
    public async Task Ls_EveryLevel_TextAndJson()
    {
        var user = await server.CreateUserAsync();
        var (project, files) = await ArchiveAsync(user);
        await UseTokenOfAsync(user);

        var projects = await _cli.RunAsync("ls");
        projects.ExitCode.ShouldBe(0, projects.ToString());
        projects.Stdout.ShouldContain(project);
        projects.Stdout.ShouldContain("owner");

        var subjects = await _cli.RunAsync("ls", project);
        subjects.ExitCode.ShouldBe(0, subjects.ToString());
        subjects.Stdout.Split('\n').Where(l => l.StartsWith("subject", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            .ShouldBe(["S1", "S2"]);

        var sessions = await _cli.RunAsync("ls", $"{project}/S1");
        sessions.Stdout.ShouldContain("session  E1");
        sessions.Stdout.ShouldContain("NOTES/n.txt");

        var session = await _cli.RunAsync("ls", $"{project}/S1/E1", "--long");
        session.ExitCode.ShouldBe(0, session.ToString());
        session.Stdout.ShouldContain("scan  2");
        var sha = Convert.ToHexStringLower(SHA256.HashData(files["subjects/S1/sessions/E1|FILES|a.txt"]));
        session.Stdout.ShouldContain($"{sha[..12]}  FILES/a.txt  {sha}");

        var scan = await _cli.RunAsync("ls", $"{project}/S1/E1/2", "--json");
        scan.ExitCode.ShouldBe(0, scan.ToString());
        var item = JsonDocument.Parse(scan.Stdout).RootElement.EnumerateArray().ShouldHaveSingleItem();
        item.GetProperty("kind").GetString().ShouldBe("file");
        item.GetProperty("resource").GetString().ShouldBe("DICOM");
        item.GetProperty("path").GetString().ShouldBe("x.dcm");
        item.GetProperty("size").GetInt64().ShouldBe(5_000);
        item.GetProperty("sha256").GetString().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(files["subjects/S1/sessions/E1/scans/2|DICOM|x.dcm"])));
    }

    [Fact]
    public async Task Ls_ManySubjects_AllPagesRead()
    {
        var project = await server.CreateProjectAsync();
        using (var admin = new TesseraClient(server.Admin()))
        {
            for (var i = 0; i < 1005; i++)
            {
                await admin.PutEntityAsync(project, $"subjects/S{i:D4}");
            }
        }
        await UseTokenOfAsync("admin");

        var result = await _cli.RunAsync("ls", project, "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonDocument.Parse(result.Stdout).RootElement.GetArrayLength().ShouldBe(1005);
    }

    [Fact]
    public async Task Projects_OwnForAUser_AllForAnAdmin()
    {
        var user = await server.CreateUserAsync();
        var mine = await server.CreateProjectAsync(user);
        var others = await server.CreateProjectAsync();

        await UseTokenOfAsync(user);
        var own = await _cli.RunAsync("projects");
        own.ExitCode.ShouldBe(0, own.ToString());
        own.Stdout.ShouldStartWith("ID");
        own.Stdout.Split('\n').ShouldContain(l => l.StartsWith(mine, StringComparison.Ordinal) && l.Contains("private") && l.EndsWith("owner"));
        own.Stdout.ShouldNotContain(others);

        await UseTokenOfAsync("admin");
        var all = await _cli.RunAsync("projects", "--json");
        all.ExitCode.ShouldBe(0, all.ToString());
        var ids = JsonDocument.Parse(all.Stdout).RootElement.EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();
        ids.ShouldContain(mine);
        ids.ShouldContain(others);
    }
}
