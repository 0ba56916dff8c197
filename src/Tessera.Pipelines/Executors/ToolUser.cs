using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Tessera.Pipelines.Executors;

/// <summary>
/// The unprivileged host account that tools run as when the server (or <c>tessera job-run</c>) runs
/// as root: a tool never has host uid 0, inside a sandbox or not (docs/security.md). The launcher and
/// scripts/test.sh create it (<see cref="CreateCommand"/>).
/// </summary>
public sealed partial record ToolUser(string Name, int Uid, int Gid)
{
    public const string DefaultName = "tessera-tool";

    private static readonly Dictionary<string, ToolUser> s_found = new(StringComparer.Ordinal);

    /// <summary>Whether this process runs as root, so that tools must be handed to <see cref="ToolUser"/>.</summary>
    public static bool Needed => Environment.IsPrivilegedProcess;

    public static string CreateCommand(string name) => $"useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin {name}";

    /// <summary>The account by name (through NSS, as <c>getent passwd</c> answers), or null when there is none or it is root.</summary>
    public static ToolUser? Find(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (s_found)
        {
            if (s_found.TryGetValue(name, out var known))
                return known;
        }
        ToolUser? found = null;
        try
        {
            var start = new ProcessStartInfo("getent") { RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add("passwd");
            start.ArgumentList.Add(name);
            using var process = Process.Start(start)!;
            var line = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            var fields = line.Split(':');
            if (process.ExitCode == 0 && fields.Length >= 4 && fields[0] == name
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid) && uid != 0 && gid != 0)
                found = new ToolUser(name, uid, gid);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No getent: no account can be found.
        }
        // Only a found account is remembered: one created after a refusal is picked up by the next job.
        if (found is not null)
        {
            lock (s_found)
                s_found[name] = found;
        }
        return found;
    }

    /// <summary>
    /// Lets the account write in a workspace without making any of its entries the account's: the
    /// workspace (sticky) and its output/ stay this process's, their group the account's and writable
    /// by it. The tool writes files in both (its working directory and HOME, and its outputs) but can
    /// neither rename nor replace output/ or input/ (say, by a link to a host folder); input/ stays
    /// read-only to it. <paramref name="readable"/> are files it may read (its environment).
    /// </summary>
    public void Prepare(string workspace, params string[] readable)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspace);
        ArgumentNullException.ThrowIfNull(readable);
        const UnixFileMode shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                    | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
        Give(workspace, shared | UnixFileMode.StickyBit);
        Give(Path.Combine(workspace, "output"), shared);
        foreach (var file in readable)
            Give(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
    }

    private void Give(string path, UnixFileMode mode)
    {
        // -1: the owner stays this process's account.
        if (Chown(path, -1, Gid) != 0)
            throw new IOException($"{path} could not be given to the tool user {Name}'s group: error {Marshal.GetLastPInvokeError()}");
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    /// <summary>The <c>setpriv</c> arguments that run the rest of a command line as this account, without groups or a way back to privileges.</summary>
    public IEnumerable<string> SetprivArguments() =>
        [$"--reuid={Uid.ToString(CultureInfo.InvariantCulture)}", $"--regid={Gid.ToString(CultureInfo.InvariantCulture)}", "--clear-groups", "--no-new-privs", "--"];

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
