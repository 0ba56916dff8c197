using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Pipelines.Jobs;

/// <summary>
/// The Linux calls that walk a folder a tool wrote without ever following a link: <c>openat</c> with
/// <c>O_NOFOLLOW</c> one name at a time from a descriptor already held, <c>statx</c> (its record has
/// the same layout on every architecture) and <c>readdir</c> on a descriptor. .NET resolves whole
/// paths, which a tool still running could redirect between a check and a use.
/// </summary>
internal static unsafe partial class NativeFiles
{
    public const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;
    private const int ReadOnly = 0;
    private const int NonBlock = 0x800;
    private const int CloseOnExec = 0x80000;
    public const int ErrorNoEntry = 2;
    public const int ErrorLoop = 40;
    public const int ErrorNotDirectory = 20;

    public enum Kind { Other, File, Directory, Link, Fifo, Device, Socket }

    /// <summary>What <c>statx</c> says of one entry: its kind, identity (device and inode), links and size.</summary>
    public readonly record struct Status(Kind Kind, ulong Device, ulong Inode, uint Links, uint Owner, long Size);

    private static (int Directory, int NoFollow) Flags => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => (0x10000, 0x20000),
        Architecture.Arm64 or Architecture.Arm => (0x4000, 0x8000),
        var other => throw new PlatformNotSupportedException($"Job workspaces are read by descriptor on x64 and Arm64 Linux, not {other}."),
    };

    /// <summary>Opens a folder (by path, or by name in <paramref name="directory"/>) that must not be a link; -1 and errno when it is not a folder.</summary>
    public static int OpenDirectory(int directory, string name) =>
        OpenAt(directory, name, ReadOnly | Flags.Directory | Flags.NoFollow | CloseOnExec);

    /// <summary>Opens an entry for reading without following a link, and without blocking should it be a FIFO.</summary>
    public static int OpenFile(int directory, string name) =>
        OpenAt(directory, name, ReadOnly | Flags.NoFollow | NonBlock | CloseOnExec);

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>The entry <paramref name="name"/> of <paramref name="directory"/> itself (a link is not followed); null when it is gone.</summary>
    public static Status? StatusOf(int directory, string name) => Stat(directory, name, AtSymlinkNoFollow);

    /// <summary>What an open descriptor refers to.</summary>
    public static Status StatusOf(int descriptor) =>
        Stat(descriptor, "", AtEmptyPath) ?? throw new IOException($"statx of an open descriptor failed (errno {LastError}).");

    public static Status StatusOf(SafeFileHandle handle)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return StatusOf((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    private static readonly UTF8Encoding s_strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The names in an open folder (not "." and ".."), null for one that is not UTF-8; the descriptor stays open.</summary>
    public static List<string?> Names(int directory)
    {
        // fdopendir takes the descriptor it is given: a second one for the same folder is handed over.
        var copy = OpenAt(directory, ".", ReadOnly | Flags.Directory | CloseOnExec);
        if (copy < 0)
            throw new IOException($"A folder of the workspace could not be listed (errno {LastError}).");
        var stream = FdOpenDir(copy);
        if (stream == IntPtr.Zero)
        {
            _ = Close(copy);
            throw new IOException($"A folder of the workspace could not be listed (errno {LastError}).");
        }
        var names = new List<string?>();
        try
        {
            IntPtr entry;
            while ((entry = ReadDir(stream)) != IntPtr.Zero)
            {
                // struct dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), then the name, NUL-terminated.
                var start = (byte*)(entry + 19);
                var length = 0;
                while (start[length] != 0)
                    length++;
                string? name;
                try
                {
                    name = s_strict.GetString(start, length);
                }
                catch (DecoderFallbackException)
                {
                    name = null;
                }
                if (name is not ("." or ".."))
                    names.Add(name);
            }
        }
        finally
        {
            _ = CloseDir(stream);
        }
        return names;
    }

    public static void CloseDescriptor(int descriptor)
    {
        if (descriptor >= 0)
            _ = Close(descriptor);
    }

    private static int OpenAt(int directory, string name, int flags)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("Job workspaces are read by descriptor on Linux only.");
        return Open(directory, name, flags, 0);
    }

    private static Status? Stat(int directory, string name, int flags)
    {
        var buffer = stackalloc byte[256];
        if (StatX(directory, name, flags, StatxBasicStats, buffer) != 0)
            return null;
        // struct statx: stx_nlink at 16, stx_uid 20, stx_mode 28 (16 bits), stx_ino 32, stx_size 40, stx_dev_major 136, stx_dev_minor 140.
        var mode = *(ushort*)(buffer + 28);
        var kind = (mode & 0xF000) switch
        {
            0x8000 => Kind.File,
            0x4000 => Kind.Directory,
            0xA000 => Kind.Link,
            0x1000 => Kind.Fifo,
            0x2000 or 0x6000 => Kind.Device,
            0xC000 => Kind.Socket,
            _ => Kind.Other,
        };
        var device = ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140);
        return new Status(kind, device, *(ulong*)(buffer + 32), *(uint*)(buffer + 16), *(uint*)(buffer + 20), (long)*(ulong*)(buffer + 40));
    }

    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(int directory, string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int StatX(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "fdopendir", SetLastError = true)]
    private static partial IntPtr FdOpenDir(int descriptor);

    [LibraryImport("libc", EntryPoint = "readdir64", SetLastError = true)]
    private static partial IntPtr ReadDir(IntPtr stream);

    [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
    private static partial int CloseDir(IntPtr stream);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
