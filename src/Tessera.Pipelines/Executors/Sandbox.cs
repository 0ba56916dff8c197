namespace Tessera.Pipelines.Executors;

/// <summary>
/// The bubblewrap command line that confines a local job: the whole system read-only, the data
/// folder hidden, the workspace the one writable place besides a private /tmp, its own process,
/// IPC and network namespaces (only loopback: the Tessera API reaches it through a Unix socket that a
/// forwarder in the sandbox serves at TESSERA_URL), no capabilities, an unprivileged user.
/// </summary>
public static class Sandbox
{
    /// <summary>TESSERA_URL inside a sandbox whose network is "server".</summary>
    public const string InnerUrl = "http://127.0.0.1:8080";
    private const string InnerSocket = "/run/tessera/api.sock";

    public static bool IsAvailable { get; } = Find("bwrap") is not null;

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <param name="hidden">Folders the job must not see (the data folder), masked by empty ones.</param>
    /// <param name="apiSocket">The server's Unix socket, for network "server".</param>
    public static List<string> Arguments(string workspace, string shell, string command, string network, IEnumerable<string> hidden, string? apiSocket)
    {
        var args = new List<string> { "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run" };
        foreach (var folder in hidden.Where(Directory.Exists))
            args.AddRange(["--tmpfs", folder]);
        args.AddRange(["--bind", workspace, workspace, "--chdir", workspace]);
        args.AddRange(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534", "--hostname", "tessera-job"]);
        if (network == "host")
            args.Add("--share-net");
        if (network == "server" && apiSocket is not null)
        {
            args.AddRange(["--dir", "/run/tessera", "--bind", apiSocket, InnerSocket, "--", "/bin/sh", "-c", ForwardThenRun, shell, command]);
        }
        else
        {
            args.AddRange(["--", shell, "-c", command]);
        }
        return args;
    }

    /// <summary>
    /// Serves the API's socket on 127.0.0.1:8080 inside the sandbox, waits until it listens (its
    /// line in /proc/net/tcp, state 0A), then runs the command ("$1") with the tool's shell ("$0").
    /// </summary>
    private const string ForwardThenRun =
        "socat TCP-LISTEN:8080,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:" + InnerSocket + " 2>/dev/null & " +
        "n=0; until grep -q ':1F90 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do n=$((n+1)); [ $n -ge 20000 ] && break; done; " +
        "exec \"$0\" -c \"$1\"";
}
