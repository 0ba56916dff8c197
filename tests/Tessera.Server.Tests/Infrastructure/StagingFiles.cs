namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Temporary files under a staging folder (<c>blobs/tmp</c>, <c>uploads/import</c>): those of every
/// process's owner folder and any straight in it, without the owner folders' lock files.
/// </summary>
public static class StagingFiles
{
    public static string[] In(string parent) => Directory.Exists(parent)
        ? Directory.GetFiles(parent, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != ".owner").ToArray()
        : [];
}
