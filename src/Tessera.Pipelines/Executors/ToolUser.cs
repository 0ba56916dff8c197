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

    /// <summary>Makes the account the owner of these folders (the workspace and its output/; input/ stays the server's, read-only to the tool).</summary>
    public void Own(params string[] folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        foreach (var folder in folders)
        {
            if (Chown(folder, Uid, Gid) != 0)
                throw new IOException($"{folder} could not be given to the tool user {Name}: error {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The <c>setpriv</c> arguments that run the rest of a command line as this account, without groups or a way back to privileges.</summary>
    public IEnumerable<string> SetprivArguments() =>
        [$"--reuid={Uid.ToString(CultureInfo.InvariantCulture)}", $"--regid={Gid.ToString(CultureInfo.InvariantCulture)}", "--clear-groups", "--no-new-privs", "--"];

    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, int owner, int group);
}
