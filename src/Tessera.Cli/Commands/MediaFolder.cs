using System.IO.Compression;
using Tessera.Dicom.Media;

namespace Tessera.Cli.Commands;

/// <summary>Unpacks DICOM media received as a zip into a folder, taking only what a file-set holds: a DICOMDIR and file IDs of PS3.10's form.</summary>
internal static class MediaFolder
{
    /// <summary>Writes the DICOMDIR and every file under its file ID into <paramref name="folder"/>; the number of files besides the DICOMDIR.</summary>
    public static int Extract(string zipPath, string folder)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var root = Path.GetFullPath(folder);
        var files = 0;
        foreach (var entry in zip.Entries)
        {
            var components = entry.FullName.Split('/');
            // The server names entries; still, nothing but a file-set's own names is written, and nothing outside the folder.
            if (entry.FullName != "DICOMDIR" && !MediaFileId.IsStandard(components))
                throw new IOException($"the zip holds '{entry.FullName}', which is not a file ID of DICOM media; nothing more was written");
            var path = Path.GetFullPath(Path.Combine(root, Path.Combine(components)));
            if (!path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw new IOException($"'{entry.FullName}' would be written outside {root}");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            entry.ExtractToFile(path, overwrite: true);
            if (entry.FullName != "DICOMDIR")
                files++;
        }
        return files;
    }
}
