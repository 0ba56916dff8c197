using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>What a finished CLI run printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the real <c>tessera</c> CLI (the build of src/Tessera.Cli) as a child process, with its
/// own home and config folders so that nothing of the developer's login leaks in or out.
/// </summary>
public sealed class CliProcess : IDisposable
{
    public static readonly string CliAssembly = typeof(CliProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TesseraCli").Value!;

    public CliProcess()
    {
        Directory.CreateDirectory(Home);
    }

    public string Home { get; } = Path.Combine(Path.GetTempPath(), "tessera-cli-" + Guid.NewGuid().ToString("N"));

    public string ConfigFile => Path.Combine(Home, ".config", "tessera", "config.json");

    /// <summary>Environment for every run (e.g. TESSERA_URL and TESSERA_TOKEN).</summary>
    public Dictionary<string, string> Environment { get; } = new();

    /// <summary>Signs the CLI in as <paramref name="username"/> on <paramref name="server"/> through TESSERA_URL and TESSERA_TOKEN.</summary>
    public async Task UseTokenOfAsync(TestServer server, string username)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var client = username == "admin" ? new Tessera.Client.TesseraClient(server.Admin()) : server.Client(username);
        var token = await client.CreateTokenAsync(new Tessera.Client.Contracts.CreateTokenRequest("cli-test", 1));
        Environment["TESSERA_URL"] = server.BaseAddress.ToString();
        Environment["TESSERA_TOKEN"] = token.Token;
    }

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs the CLI with <paramref name="stdin"/> as a line on its standard input.</summary>
    public async Task<CliResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        using var process = Start(args);
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tessera {string.Join(' ', args)} did not finish in 3 minutes");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts the CLI and returns at once; the caller reads or kills it.</summary>
    public Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(CliAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in new[] { "TESSERA_URL", "TESSERA_TOKEN", "TESSERA_USERNAME", "TESSERA_PASSWORD", "TESSERA_ADMIN_PASSWORD" })
        {
            info.Environment.Remove(name);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TESSERA__", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["HOME"] = Home;
        info.Environment["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in Environment)
        {
            info.Environment[name] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the tessera CLI");
    }

    public void Dispose()
    {
        if (Directory.Exists(Home))
        {
            Directory.Delete(Home, recursive: true);
        }
    }
}
