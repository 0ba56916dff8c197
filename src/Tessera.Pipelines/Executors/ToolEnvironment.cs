using System.Text;
using System.Text.RegularExpressions;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// A tool's environment (the descriptor's variables, TESSERA_*), kept away from the programs that
/// launch it. prlimit, unshare and setpriv run as root when the server is root: given the tool's
/// environment, a descriptor's <c>LD_PRELOAD</c> (or <c>LD_DEBUG_OUTPUT</c>, <c>GCONV_PATH</c>…) would have
/// acted as root. They get a fixed environment; the tool's is written to a file (mode 0640, never on a
/// command line, where every local account could read the job's token) that the shell starting the tool
/// loads once it is the tool's account.
/// </summary>
public static partial class ToolEnvironment
{
    /// <summary>The launchers' own environment.</summary>
    public static IReadOnlyDictionary<string, string> Launcher { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ["LANG"] = "C.UTF-8",
    };

    /// <summary>Names a shell keeps read-only (bash's), which no file it loads may assign.</summary>
    public static IReadOnlySet<string> Reserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "PPID", "UID", "EUID", "BASHOPTS", "SHELLOPTS", "BASH_VERSINFO", "BASHPID", "BASH_ARGV0",
    };

    /// <summary>Whether a shell can set <paramref name="name"/>: letters, digits and '_', not starting with a digit, not read-only.</summary>
    public static bool IsSettable(string name) => Name().IsMatch(name) && !Reserved.Contains(name);

    /// <summary>
    /// Writes the environment as shell assignments to a new file (<paramref name="path"/>, mode 0600;
    /// <see cref="ToolUser.Prepare"/> lets the tool's account read it). Names a shell cannot set are left out.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(environment);
        var text = new StringBuilder();
        foreach (var (name, value) in environment.Where(e => IsSettable(e.Key)).OrderBy(e => e.Key, StringComparer.Ordinal))
            text.Append(name).Append('=').Append(ShellCommandLine.Quote(value.Replace("\0", "", StringComparison.Ordinal))).Append('\n');
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var file = new FileStream(path, options);
        file.Write(Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>
    /// The <c>/bin/sh -c</c> script that loads the environment file and runs the command (<c>$1</c>)
    /// with the tool's shell (<c>$0</c>); of the launcher's environment only its PATH and LANG are there before.
    /// </summary>
    public static string LoadThenRun(string file) =>
        $"set -a; . {ShellCommandLine.Quote(file)}; set +a; exec \"$0\" -c \"$1\"";

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex Name();
}
