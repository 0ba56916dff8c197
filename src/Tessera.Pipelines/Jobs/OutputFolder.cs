using System.Security.Cryptography;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Tessera.Pipelines.Jobs;

/// <summary>A regular file of a tool's <c>output/</c>, as the walk found it: its path relative to output/ and its identity.</summary>
public sealed record OutputFile(string Path, ulong Device, ulong Inode, uint Links, long Size);

/// <summary>Thrown when what a tool left cannot be taken at all (output/ is a link, or not a folder of the workspace).</summary>
public sealed class OutputRefusedException(string message) : IOException(message);

/// <summary>
/// A tool's <c>output/</c> read by the server, which may be root, after the tool has ended: nothing the
/// tool wrote is ever followed. output/ itself is opened with <c>O_NOFOLLOW | O_DIRECTORY</c> relative to
/// the workspace and must be a folder on the workspace's file system; below it each name is opened
/// from its folder's descriptor the same way, so a link swapped in at any moment makes the open fail
/// instead of leading out. Only regular files are taken: links, FIFOs, devices and sockets are
/// refused (listed in <see cref="Refused"/>), and so is a file with more links than output/ holds (a
/// hard link to a file elsewhere). Files are opened non-blocking and checked to be the one listed, and
/// copied (hashed while copied), never moved.
/// </summary>
public sealed class OutputFolder : IDisposable
{
    private readonly int _root;
    private readonly ulong _device;
    private readonly Dictionary<string, OutputFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refused = new(StringComparer.Ordinal);

    private OutputFolder(int root, ulong device)
    {
        _root = root;
        _device = device;
    }

    /// <summary>The regular files taken, by path relative to output/ ('/'-separated), in ordinal order.</summary>
    public IReadOnlyList<OutputFile> Files => _files.Values.OrderBy(f => f.Path, StringComparer.Ordinal).ToList();

    /// <summary>What was left out and why ("a symbolic link"), by path relative to output/.</summary>
    public IReadOnlyDictionary<string, string> Refused => _refused;

    /// <summary>Opens <c>output/</c> of <paramref name="workspace"/> and lists it.</summary>
    /// <param name="maxFiles">More regular files than this refuse the whole folder.</param>
    /// <exception cref="OutputRefusedException">output/ is missing, a link, not a folder, or on another file system; or holds too many files.</exception>
    public static OutputFolder Open(string workspace, int maxFiles)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspace);
        // The workspace's own path is the server's (its parents are not the tool's to change).
        var root = NativeFiles.OpenDirectory(NativeFiles.AtFdCwd, workspace);
        if (root < 0)
            throw new IOException($"The workspace could not be opened (errno {NativeFiles.LastError}).");
        try
        {
            var device = NativeFiles.StatusOf(root).Device;
            var output = NativeFiles.OpenDirectory(root, "output");
            if (output < 0)
            {
                var error = NativeFiles.LastError;
                var what = NativeFiles.StatusOf(root, "output") is { } s ? Describe(s.Kind) : "missing";
                throw new OutputRefusedException(error == NativeFiles.ErrorNoEntry
                    ? "output/ is missing: the tool removed it"
                    : $"output/ is not a folder but {what}: nothing of it is taken");
            }
            var status = NativeFiles.StatusOf(output);
            if (status.Device != device)
            {
                NativeFiles.CloseDescriptor(output);
                throw new OutputRefusedException("output/ is not on the workspace's file system: nothing of it is taken");
            }
            var folder = new OutputFolder(output, device);
            try
            {
                folder.Walk(maxFiles);
            }
            catch
            {
                folder.Dispose();
                throw;
            }
            return folder;
        }
        finally
        {
            NativeFiles.CloseDescriptor(root);
        }
    }

    /// <summary>The file at <paramref name="path"/> (relative to output/) when it was taken; null when absent or refused.</summary>
    public OutputFile? Find(string path) => _files.GetValueOrDefault(path);

    /// <summary>Why <paramref name="path"/> was refused, or null.</summary>
    public string? WhyRefused(string path) => _refused.GetValueOrDefault(path);

    /// <summary>
    /// Opens a listed file for reading: each folder on the way and the file itself opened without
    /// following links, and the file checked to be the regular file listed (same device and inode, no new links).
    /// </summary>
    public FileStream OpenRead(OutputFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var parts = file.Path.Split('/');
        var directory = _root;
        try
        {
            foreach (var part in parts[..^1])
            {
                var next = NativeFiles.OpenDirectory(directory, part);
                if (directory != _root)
                    NativeFiles.CloseDescriptor(directory);
                directory = next;
                if (directory < 0)
                    throw new OutputRefusedException($"output/{file.Path} changed after the tool ended (a folder on its way is no longer one)");
            }
            var descriptor = NativeFiles.OpenFile(directory, parts[^1]);
            if (descriptor < 0)
                throw new OutputRefusedException($"output/{file.Path} changed after the tool ended (it is no longer a file, errno {NativeFiles.LastError})");
            var handle = new SafeFileHandle(descriptor, ownsHandle: true);
            var status = NativeFiles.StatusOf(descriptor);
            if (status.Kind != NativeFiles.Kind.File || status.Device != file.Device || status.Inode != file.Inode || status.Links != file.Links)
            {
                handle.Dispose();
                throw new OutputRefusedException($"output/{file.Path} changed after the tool ended");
            }
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        finally
        {
            if (directory != _root)
                NativeFiles.CloseDescriptor(directory);
        }
    }

    /// <summary>Reads a listed file as UTF-8 text, refusing one larger than <paramref name="maxBytes"/> (however its size changes meanwhile).</summary>
    public async Task<string> ReadTextAsync(OutputFile file, int maxBytes, CancellationToken ct)
    {
        await using var stream = OpenRead(file);
        // One byte more than allowed tells a file that is too large, whatever its size said when listed.
        var buffer = new byte[maxBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), ct)) > 0)
            total += read;
        if (total > maxBytes)
            throw new OutputRefusedException($"output/{file.Path} is larger than {maxBytes} bytes");
        return Encoding.UTF8.GetString(buffer, 0, total);
    }

    /// <summary>Copies a listed file to <paramref name="target"/> (a new file of the caller's), hashing what is copied; returns its SHA-256.</summary>
    public async Task<string> CopyAsync(OutputFile file, string target, CancellationToken ct)
    {
        await using var source = OpenRead(file);
        await using var copy = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await copy.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose() => NativeFiles.CloseDescriptor(_root);

    /// <summary>Lists every entry below output/ by descriptor (folders opened one at a time, never by a path).</summary>
    private void Walk(int maxFiles)
    {
        var pending = new Stack<string>();
        pending.Push("");
        while (pending.Count > 0)
        {
            var prefix = pending.Pop();
            var directory = prefix.Length == 0 ? _root : OpenFolder(prefix);
            if (directory < 0)
            {
                _refused[prefix] = "a folder that changed while it was read";
                continue;
            }
            try
            {
                foreach (var name in NativeFiles.Names(directory))
                {
                    if (name is null)
                    {
                        _refused[prefix + "?"] = "a name that is not UTF-8";
                        continue;
                    }
                    var path = prefix + name;
                    if (NativeFiles.StatusOf(directory, name) is not { } status)
                        continue; // gone meanwhile
                    switch (status.Kind)
                    {
                        case NativeFiles.Kind.Directory when status.Device != _device:
                            _refused[path] = "a folder on another file system";
                            break;
                        case NativeFiles.Kind.Directory:
                            pending.Push(path + "/");
                            break;
                        case NativeFiles.Kind.File:
                            if (_files.Count >= maxFiles)
                                throw new OutputRefusedException($"output/ holds more than {maxFiles} files (Pipelines:MaxOutputFiles)");
                            _files[path] = new OutputFile(path, status.Device, status.Inode, status.Links, status.Size);
                            break;
                        default:
                            _refused[path] = Describe(status.Kind);
                            break;
                    }
                }
            }
            finally
            {
                if (directory != _root)
                    NativeFiles.CloseDescriptor(directory);
            }
        }
        // A file linked more often than output/ holds it has a name elsewhere: a host file the tool linked here.
        var held = _files.Values.GroupBy(f => (f.Device, f.Inode)).ToDictionary(g => g.Key, g => g.Count());
        foreach (var file in _files.Values.Where(f => f.Links > held[(f.Device, f.Inode)]).ToList())
        {
            _files.Remove(file.Path);
            _refused[file.Path] = "a hard link to a file outside output/ (copy it instead)";
        }
    }

    /// <summary>Opens a folder below output/ one name at a time; -1 when a name on the way is no longer a folder.</summary>
    private int OpenFolder(string prefix)
    {
        var directory = _root;
        foreach (var part in prefix.TrimEnd('/').Split('/'))
        {
            var next = NativeFiles.OpenDirectory(directory, part);
            if (directory != _root)
                NativeFiles.CloseDescriptor(directory);
            if (next < 0)
                return -1;
            if (NativeFiles.StatusOf(next).Device != _device)
            {
                NativeFiles.CloseDescriptor(next);
                return -1;
            }
            directory = next;
        }
        return directory;
    }

    private static string Describe(NativeFiles.Kind kind) => kind switch
    {
        NativeFiles.Kind.Link => "a symbolic link",
        NativeFiles.Kind.Fifo => "a FIFO",
        NativeFiles.Kind.Device => "a device",
        NativeFiles.Kind.Socket => "a socket",
        NativeFiles.Kind.File => "a file",
        NativeFiles.Kind.Directory => "a folder",
        _ => "not a regular file",
    };
}
