using System.Diagnostics;
using System.Text;

namespace Tessera.Pipelines.Tests;

/// <summary>What a shell did with a command line: its output, its errors, its exit code.</summary>
public sealed record ShellRun(string Output, string Error, int ExitCode)
{
    /// <summary>The shells a descriptor may name that this machine has (/bin/sh always).</summary>
    public static IReadOnlyList<string> Shells { get; } = new[] { "/bin/sh", "/bin/bash" }.Where(File.Exists).ToArray();

    /// <summary>Runs <paramref name="commandLine"/> as an executor does (<c>shell -c</c>) in <paramref name="directory"/>.</summary>
    public static async Task<ShellRun> RunAsync(string commandLine, string directory, string shell = "/bin/sh")
    {
        var start = new ProcessStartInfo(shell)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        start.Environment["LANG"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return new ShellRun(await output, await error, process.ExitCode);
    }

    /// <summary>What <c>printf '&lt;%s&gt;\n' word...</c> prints for <paramref name="words"/>.</summary>
    public static string Printed(IEnumerable<string> words) => string.Concat(words.Select(w => $"<{w}>\n"));
}
