using Tessera.Client;
using Tessera.Client.Contracts;

namespace Tessera.Cli.Commands;

/// <summary>A file found under a project, subject, session or scan, and where it goes below the download folder.</summary>
internal sealed record WalkedFile(string LocalPath, FileDto File);

/// <summary>
/// Every file under a project, subject, session or scan, read from the listings page by page (no
/// level needs a zip route). The layout is the hierarchy as folders, as a session's files.zip has it:
/// the entity's own files as <c>RESOURCE/path</c>, a project's subjects as <c>S/…</c>, a subject's
/// sessions as <c>E/…</c>, a session's scans as <c>scans/N/…</c>.
/// </summary>
internal static class ArchiveWalk
{
    public static async Task<List<WalkedFile>> FilesAsync(TesseraClient client, ArchivePath at, CancellationToken ct)
    {
        var found = new List<WalkedFile>();
        await WalkAsync(client, at, "", found, ct);
        return found;
    }

    private static async Task WalkAsync(TesseraClient client, ArchivePath at, string prefix, List<WalkedFile> found, CancellationToken ct)
    {
        foreach (var resource in await client.ListResourcesAsync(at.Project, at.OwnerPath, ct))
        {
            foreach (var file in await client.ListFilesAsync(at.Project, at.OwnerPath, resource.Label, ct))
            {
                found.Add(new WalkedFile($"{prefix}{resource.Label}/{file.Path}", file));
            }
        }
        if (at.Subject is null)
        {
            foreach (var subject in await TesseraClient.AllPagesAsync(offset => client.ListSubjectsAsync(at.Project, offset, ct: ct)))
            {
                await WalkAsync(client, at with { Subject = subject.Label }, $"{prefix}{subject.Label}/", found, ct);
            }
        }
        else if (at.Session is null)
        {
            foreach (var session in await TesseraClient.AllPagesAsync(offset => client.ListSessionsAsync(at.Project, at.Subject, offset, ct: ct)))
            {
                await WalkAsync(client, at with { Session = session.Label }, $"{prefix}{session.Label}/", found, ct);
            }
        }
        else if (at.Scan is null)
        {
            foreach (var scan in await TesseraClient.AllPagesAsync(offset => client.ListScansAsync(at.Project, at.Subject, at.Session, offset, ct: ct)))
            {
                await WalkAsync(client, at with { Scan = scan.Label }, $"{prefix}scans/{scan.Label}/", found, ct);
            }
        }
    }
}
