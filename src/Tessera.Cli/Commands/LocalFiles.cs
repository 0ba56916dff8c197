using System.Security.Cryptography;

namespace Tessera.Cli.Commands;

internal static class LocalFiles
{
    /// <summary>
    /// Files named on the command line: a file as its own name, a folder's files (recursively)
    /// by their path relative to that folder.
    /// </summary>
    public static List<LocalFile> Expand(IEnumerable<string> paths)
    {
        var found = new List<LocalFile>();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                found.Add(new LocalFile(Path.GetFullPath(path), Path.GetFileName(path), new FileInfo(path).Length));
            }
            else if (Directory.Exists(path))
            {
                var root = Path.GetFullPath(path);
                foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions
                {
                    RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = FileAttributes.None,
                }).Order(StringComparer.Ordinal))
                {
                    found.Add(new LocalFile(file, Path.GetRelativePath(root, file).Replace('\\', '/'), new FileInfo(file).Length));
                }
            }
            else
            {
                throw new UsageException($"'{path}' is neither a file nor a folder.");
            }
        }
        var duplicate = found.GroupBy(f => f.ArchivePath).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new UsageException($"Two inputs would both be stored as '{duplicate.Key}'; upload them separately or to different scans.");
        }
        return found;
    }

    public static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct));
    }
}
