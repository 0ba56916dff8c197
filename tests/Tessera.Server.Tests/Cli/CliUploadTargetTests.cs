using System.Security.Cryptography;
using Shouldly;
using Tessera.Client;
using Tessera.Client.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Cli;

/// <summary>What <c>tessera upload</c> creates and says, and how the CLI writes when its output is not a terminal.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CliUploadTargetTests(TestServer server) : IClassFixture<TestServer>, IDisposable
{
    private readonly CliProcess _cli = new();
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-cli-target-").FullName;

    public void Dispose()
    {
        _cli.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    private async Task UseAdminTokenAsync()
    {
        using var client = new TesseraClient(server.Admin());
        var token = await client.CreateTokenAsync(new CreateTokenRequest("cli-test", 1));
        _cli.Environment["TESSERA_URL"] = server.BaseAddress.ToString();
        _cli.Environment["TESSERA_TOKEN"] = token.Token;
    }

    private string WriteFile(string name, byte[] content)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    [Fact]
    public async Task Upload_MissingSubjectSessionScan_CreatedAndNamed_ExistingNotMentioned()
    {
        var project = await server.CreateProjectAsync();
        await UseAdminTokenAsync();
        var file = WriteFile("a.txt", "a"u8.ToArray());

        var first = await _cli.RunAsync("upload", $"{project}/S1/E1", file);
        first.ExitCode.ShouldBe(0, first.ToString());
        first.Stdout.ShouldStartWith($"Created subject S1, session E1 in project {project}.\n");

        var scan = await _cli.RunAsync("upload", $"{project}/S1/E1/7", file);
        scan.ExitCode.ShouldBe(0, scan.ToString());
        scan.Stdout.ShouldStartWith($"Created scan 7 in project {project}.\n");

        var again = await _cli.RunAsync("upload", $"{project}/S1/E1", file);
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Stdout.ShouldNotContain("Created");
    }

    [Fact]
    public async Task Upload_NoCreate_MissingSessionRefusedNothingCreated_ExistingAccepted()
    {
        var project = await server.CreateProjectAsync();
        await UseAdminTokenAsync();
        using var admin = new TesseraClient(server.Admin());
        await admin.PutEntityAsync(project, "subjects/S1");
        var file = WriteFile("a.txt", "a"u8.ToArray());

        var refused = await _cli.RunAsync("upload", $"{project}/S1/E1/3", file, "--no-create");

        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.ShouldBe($"error: {project}/S1/E1/3: no session E1, scan 3 yet, and --no-create was given; nothing was created or uploaded.\n");
        (await admin.EntityExistsAsync(project, "subjects/S1/sessions/E1")).ShouldBeFalse();

        await admin.PutEntityAsync(project, "subjects/S1/sessions/E1");
        var accepted = await _cli.RunAsync("upload", $"{project}/S1/E1", file, "--no-create");
        accepted.ExitCode.ShouldBe(0, accepted.ToString());
        accepted.Stdout.ShouldNotContain("Created");
        (await admin.ListFilesAsync(project, "subjects/S1/sessions/E1", "FILES")).ShouldHaveSingleItem().Path.ShouldBe("a.txt");
    }

    [Fact]
    public async Task Upload_UnknownProject_Exit1NamedNothingCreated()
    {
        await UseAdminTokenAsync();
        var result = await _cli.RunAsync("upload", "no-such-project/S1/E1", WriteFile("a.txt", "a"u8.ToArray()));
        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("no such project no-such-project");
    }

    [Fact]
    public async Task Transfers_OutputNotATerminal_NoAnsiEscapes_PlainProgressLinesAndSingularWording()
    {
        var project = await server.CreateProjectAsync();
        await UseAdminTokenAsync();
        // A terminal type that would invite colours, and a progress line every second.
        _cli.Environment["TERM"] = "xterm-256color";
        _cli.Environment["TESSERA_PROGRESS_SECONDS"] = "1";
        var one = WriteFile("one.bin", RandomNumberGenerator.GetBytes(20 << 20));

        var results = new List<CliResult>
        {
            await _cli.RunAsync("upload", $"{project}/S1/E1", one),
            await _cli.RunAsync("download", $"{project}/S1/E1", "--out", Path.Combine(_work, "out")),
            await _cli.RunAsync("ls", $"{project}/S1/E1"),
            await _cli.RunAsync("projects"),
            await _cli.RunAsync("import", one, "--project", project, "--session", "S1/E1"),
        };

        foreach (var result in results)
        {
            result.Stdout.ShouldNotContain("\u001b", customMessage: result.ToString());
            result.Stderr.ShouldNotContain("\u001b", customMessage: result.ToString());
            result.Stderr.ShouldNotContain("\r", customMessage: result.ToString());
            result.Stdout.ShouldNotContain("1 files");
            result.Stderr.ShouldNotContain("1 files");
        }
        results[0].Stderr.ShouldContain("1 of 1 file done, 21.0 MB uploaded");
        results[1].Stderr.ShouldContain("1 of 1 file done, 21.0 MB downloaded");
        // import shows the same progress as upload: bytes, files, rate.
        results[4].Stderr.ShouldContain("1 of 1 file done, 21.0 MB sent");
    }
}
