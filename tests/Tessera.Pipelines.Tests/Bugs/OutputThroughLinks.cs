using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Shouldly;
using Tessera.Pipelines.Jobs;

namespace Tessera.Pipelines.Tests.Bugs;

/// <summary>
/// The security finding "a tool steals and deletes any host file as root through output/": the tool
/// replaced output/ with a link to a root-only folder, and the server (root) stored every file behind
/// it as the job's outputs and moved the originals into the blob store. results.json and declared
/// outputs were read through links too (/dev/zero filled the memory). <see cref="OutputFolder"/> now
/// reads output/ by descriptor, never following a link, and copies. These run as root, as CI does.
/// </summary>
public sealed class OutputThroughLinks : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("tessera-ws-").FullName;
    private readonly string _secret = Directory.CreateTempSubdirectory("tessera-secret-").FullName;

    public OutputThroughLinks()
    {
        Directory.CreateDirectory(Output);
        File.WriteAllText(Path.Combine(_secret, "id_rsa"), "PRIVATE KEY");
        File.WriteAllText(Path.Combine(_secret, "results.json"), """{"stolen":true}""");
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(_secret, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private string Output => Path.Combine(_workspace, "output");

    public void Dispose()
    {
        JobWorkspace.Wipe(_workspace);
        Directory.Delete(_secret, recursive: true);
    }

    [Fact]
    public void Open_OutputIsALinkToAHostFolder_RefusedAndNothingTouched()
    {
        Directory.Delete(Output);
        File.CreateSymbolicLink(Output, _secret);

        var error = Should.Throw<OutputRefusedException>(() => OutputFolder.Open(_workspace, 100));

        error.Message.ShouldContain("output/ is not a folder but a symbolic link");
        File.ReadAllText(Path.Combine(_secret, "id_rsa")).ShouldBe("PRIVATE KEY");
    }

    [Fact]
    public void Open_OutputIsGone_Refused()
    {
        Directory.Delete(Output);

        Should.Throw<OutputRefusedException>(() => OutputFolder.Open(_workspace, 100)).Message.ShouldContain("output/ is missing");
    }

    [Fact]
    public void Open_LinksFifosDevicesAndHardLinksInside_OnlyTheToolsOwnRegularFilesTaken()
    {
        File.WriteAllText(Path.Combine(Output, "real.txt"), "mine");
        Directory.CreateDirectory(Path.Combine(Output, "sub"));
        File.WriteAllText(Path.Combine(Output, "sub", "deep.txt"), "deep");
        File.CreateSymbolicLink(Path.Combine(Output, "results.json"), Path.Combine(_secret, "results.json"));
        File.CreateSymbolicLink(Path.Combine(Output, "zero.bin"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(Output, "linked"), _secret);
        Run("mkfifo", Path.Combine(Output, "pipe"));
        // A hard link to a host file (protected_hardlinks keeps a tool account from most; root's own files on the same file system are the risk).
        Run("ln", Path.Combine(_secret, "id_rsa"), Path.Combine(Output, "key"));
        // Two names of one file, both in output/, are the tool's own.
        Run("ln", Path.Combine(Output, "real.txt"), Path.Combine(Output, "sub", "again.txt"));

        using var folder = OutputFolder.Open(_workspace, 100);

        folder.Files.Select(f => f.Path).ShouldBe(["real.txt", "sub/again.txt", "sub/deep.txt"]);
        folder.Refused.ShouldBe(new Dictionary<string, string>
        {
            ["results.json"] = "a symbolic link",
            ["zero.bin"] = "a symbolic link",
            ["linked"] = "a symbolic link",
            ["pipe"] = "a FIFO",
            ["key"] = "a hard link to a file outside output/ (copy it instead)",
        }, ignoreOrder: true);
        folder.Find("results.json").ShouldBeNull();
        folder.WhyRefused("results.json").ShouldBe("a symbolic link");
    }

    [Fact]
    public async Task CopyAsync_CopiesAndHashes_TheOriginalStays()
    {
        File.WriteAllText(Path.Combine(Output, "a.txt"), "content");
        using var folder = OutputFolder.Open(_workspace, 100);
        var target = Path.Combine(_workspace, "copy");

        var sha = await folder.CopyAsync(folder.Find("a.txt")!, target, CancellationToken.None);

        sha.ShouldBe(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("content"))));
        File.ReadAllText(target).ShouldBe("content");
        File.ReadAllText(Path.Combine(Output, "a.txt")).ShouldBe("content");
    }

    [Fact]
    public async Task OpenRead_FileSwappedForALinkAfterTheListing_Refused()
    {
        var path = Path.Combine(Output, "results.json");
        File.WriteAllText(path, "{}");
        using var folder = OutputFolder.Open(_workspace, 100);
        var listed = folder.Find("results.json")!;
        File.Delete(path);
        File.CreateSymbolicLink(path, Path.Combine(_secret, "results.json"));

        await Should.ThrowAsync<OutputRefusedException>(() => folder.ReadTextAsync(listed, 1024, CancellationToken.None));
    }

    [Fact]
    public async Task OpenRead_FolderSwappedForALinkAfterTheListing_Refused()
    {
        Directory.CreateDirectory(Path.Combine(Output, "d"));
        File.WriteAllText(Path.Combine(Output, "d", "id_rsa"), "harmless");
        using var folder = OutputFolder.Open(_workspace, 100);
        var listed = folder.Find("d/id_rsa")!;
        Directory.Delete(Path.Combine(Output, "d"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(Output, "d"), _secret);

        await Should.ThrowAsync<OutputRefusedException>(() => folder.CopyAsync(listed, Path.Combine(_workspace, "copy"), CancellationToken.None));
        File.Exists(Path.Combine(_workspace, "copy")).ShouldBeFalse();
    }

    [Fact]
    public async Task ReadTextAsync_LargerThanAllowed_Refused()
    {
        await File.WriteAllTextAsync(Path.Combine(Output, "results.json"), new string(' ', 5000) + "{}");
        using var folder = OutputFolder.Open(_workspace, 100);

        var error = await Should.ThrowAsync<OutputRefusedException>(() => folder.ReadTextAsync(folder.Find("results.json")!, 4096, CancellationToken.None));

        error.Message.ShouldContain("larger than 4096 bytes");
    }

    [Fact]
    public void Open_MoreFilesThanAllowed_Refused()
    {
        for (var i = 0; i < 4; i++)
            File.WriteAllText(Path.Combine(Output, $"{i}.txt"), "x");

        Should.Throw<OutputRefusedException>(() => OutputFolder.Open(_workspace, 3)).Message.ShouldContain("more than 3 files");
    }

    [Fact]
    public void Wipe_LinksInside_RemovedWithoutFollowingThem()
    {
        File.CreateSymbolicLink(Path.Combine(Output, "linked"), _secret);
        Directory.CreateDirectory(Path.Combine(Output, "d"));
        File.CreateSymbolicLink(Path.Combine(Output, "d", "key"), Path.Combine(_secret, "id_rsa"));

        JobWorkspace.Wipe(_workspace);

        Directory.Exists(_workspace).ShouldBeFalse();
        File.ReadAllText(Path.Combine(_secret, "id_rsa")).ShouldBe("PRIVATE KEY");
        File.Exists(Path.Combine(_secret, "results.json")).ShouldBeTrue();
    }

    private static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, error);
    }
}
