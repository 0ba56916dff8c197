using System.Diagnostics;
using System.Reflection;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Runs the Node scripts of tests/clients (real npm clients such as dicomweb-client). Without their
/// packages (scripts/test.sh runs npm ci there) the tests are skipped, except under CI, where they fail.
/// </summary>
public static class NodeClients
{
    public static readonly string Directory = typeof(NodeClients).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TestClients").Value!;

    public static void RequireInstalled()
    {
        if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules")))
            return;
        var message = $"The Node test clients are not installed: run npm ci in {Directory}.";
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("CI=true: " + message);
        Assert.Skip(message);
    }

    /// <summary>Runs a script with arguments and returns its standard output; a non-zero exit fails with its error output.</summary>
    public static async Task<string> RunAsync(string script, params string[] args)
    {
        RequireInstalled();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Directory, script));
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"node {script} exited {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }
}
