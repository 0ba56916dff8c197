namespace Tessera.Pipelines.Executors;

/// <summary>
/// The bubblewrap command line that confines a job: an empty root with only what programs need —
/// the system's programs and libraries read-only (/usr and its links), a short list of /etc files,
/// the configured read-only paths — the workspace the one writable place besides a private /tmp,
/// its own process, IPC, user and network namespaces (only loopback: the Tessera API reaches it
/// through a Unix socket that a forwarder in the sandbox serves at TESSERA_URL), no capabilities.
/// Nothing of /root, /home, /var, the data folder or the server's configuration is there.
/// </summary>
public static class Sandbox
{
    /// <summary>TESSERA_URL inside a sandbox whose network is "server".</summary>
    public const string InnerUrl = "http://127.0.0.1:8080";
    private const string InnerSocket = "/run/tessera/api.sock";

    /// <summary>Where the tool's environment file (<see cref="ToolEnvironment"/>) appears in the sandbox.</summary>
    private const string InnerEnvironment = "/run/tessera/environment";

    /// <summary>What of /etc programs read: the loader's cache, names of users and hosts, time zone, certificates, alternatives.</summary>
    private static readonly string[] s_etc =
    [
        "/etc/alternatives", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf",
        "/etc/hosts", "/etc/host.conf", "/etc/resolv.conf", "/etc/gai.conf", "/etc/protocols", "/etc/services", "/etc/localtime", "/etc/timezone",
        "/etc/ssl/certs", "/etc/ca-certificates", "/etc/mime.types", "/etc/magic", "/etc/os-release", "/etc/debian_version", "/etc/fonts",
        "/etc/ImageMagick-6", "/etc/R", "/etc/java-17-openjdk", "/etc/perl", "/etc/python3", "/etc/bash.bashrc", "/etc/profile", "/etc/inputrc", "/etc/terminfo",
    ];

    /// <summary>The top-level system folders that merged-/usr Debian keeps as links into /usr (bound as they are when not links).</summary>
    private static readonly string[] s_systemRoots = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

    public static bool IsAvailable { get; } = Find("bwrap") is not null;

    public static string? Find(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':')
            .Select(dir => Path.Combine(dir, program)).FirstOrDefault(File.Exists);

    /// <param name="readOnly">More host folders the tools need (e.g. /opt/fsl), bound read-only.</param>
    /// <param name="hidden">Folders the job must not see even under a bound one (the data folder), masked by empty ones.</param>
    /// <param name="apiSocket">The server's Unix socket, for network "server".</param>
    /// <param name="environment">The tool's environment file, read by the shell that starts the tool (bubblewrap runs with the launcher's).</param>
    public static List<string> Arguments(
        string workspace, string shell, string command, string network, IEnumerable<string> readOnly, IEnumerable<string> hidden, string? apiSocket, string environment)
    {
        var args = new List<string> { "--ro-bind", "/usr", "/usr" };
        foreach (var root in s_systemRoots)
        {
            var info = new FileInfo(root);
            if (info.LinkTarget is { } target)
                args.AddRange(["--symlink", target, root]);
            else if (Directory.Exists(root))
                args.AddRange(["--ro-bind", root, root]);
        }
        foreach (var path in s_etc)
            args.AddRange(["--ro-bind-try", path, path]);
        foreach (var path in readOnly.Where(p => Path.IsPathFullyQualified(p)))
            args.AddRange(["--ro-bind-try", path, path]);
        args.AddRange(["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--tmpfs", "/run", "--tmpfs", "/var/tmp"]);
        foreach (var folder in hidden.Where(Directory.Exists))
            args.AddRange(["--tmpfs", folder]);
        args.AddRange(["--bind", workspace, workspace, "--chdir", workspace]);
        args.AddRange(["--dir", "/run/tessera", "--ro-bind", environment, InnerEnvironment]);
        if (network == "server" && apiSocket is not null)
            args.AddRange(["--bind", apiSocket, InnerSocket]);
        // The root itself (its folders made for the mounts above) is read-only; the mounts on it keep their own modes.
        args.AddRange(["--remount-ro", "/"]);
        args.AddRange(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--uid", "65534", "--gid", "65534", "--hostname", "tessera-job"]);
        if (network == "host")
            args.Add("--share-net");
        var start = ToolEnvironment.LoadThenRun(InnerEnvironment);
        args.AddRange(["--", "/bin/sh", "-c", network == "server" && apiSocket is not null ? Forward + start : start, shell, command]);
        return args;
    }

    /// <summary>
    /// Serves the API's socket on 127.0.0.1:8080 inside the sandbox and waits until it listens (its
    /// line in /proc/net/tcp, state 0A), before the tool starts.
    /// </summary>
    private const string Forward =
        "socat TCP-LISTEN:8080,bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:" + InnerSocket + " 2>/dev/null & " +
        "n=0; until grep -q ':1F90 00000000:0000 0A' /proc/net/tcp 2>/dev/null; do n=$((n+1)); [ $n -ge 20000 ] && break; done; ";
}
