using System.Diagnostics;
using Xunit;

namespace Tessera.Testing;

/// <summary>dcmtk's command-line tools, required under CI (scripts/test.sh installs them).</summary>
public static class Dcmtk
{
    public static string Tool(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
        if (found is not null)
            return found;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{name} (dcmtk) is required under CI; scripts/test.sh installs it.");
        Assert.Skip($"{name} (dcmtk) is not installed");
        return null!;
    }

    /// <summary>Runs a tool to its end (Nagle off, as every peer should run: ../shared/RECIPES.md §4); its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Tool(tool), arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["TCP_NODELAY"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not end within 60 s:\n{await stdout}{await stderr}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
