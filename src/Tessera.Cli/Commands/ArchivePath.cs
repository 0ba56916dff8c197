using Tessera.Archive.Hierarchy;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>
/// A <c>PROJECT[/SUBJECT[/SESSION[/SCAN]]]</c> argument: a project, subject, session or scan
/// (for <c>ls</c> and <c>download</c>). <see cref="ArchiveTarget"/> is the stricter form uploads take.
/// </summary>
internal sealed record ArchivePath(string Project, string? Subject = null, string? Session = null, string? Scan = null)
{
    private static readonly string[] s_levels = ["project", "subject", "session", "scan"];

    public static ArchivePath Parse(string value)
    {
        var parts = (value ?? "").Trim('/').Split('/');
        if (parts.Length > 4 || parts.Any(string.IsNullOrEmpty))
        {
            throw new UsageException($"'{value}' is not PROJECT, PROJECT/SUBJECT, PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN.");
        }
        for (var i = 0; i < parts.Length; i++)
        {
            if (!Labels.IsValid(parts[i]))
            {
                throw new UsageException(
                    $"The {s_levels[i]} label '{parts[i]}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-' (not '.' or '..' alone).");
            }
        }
        return new ArchivePath(parts[0], parts.ElementAtOrDefault(1), parts.ElementAtOrDefault(2), parts.ElementAtOrDefault(3));
    }

    /// <summary>The entity's path under the project (empty for the project itself), as the API names it.</summary>
    public string OwnerPath => Subject is null ? ""
        : Session is null ? $"subjects/{Subject}"
        : Scan is null ? $"subjects/{Subject}/sessions/{Session}"
        : $"subjects/{Subject}/sessions/{Session}/scans/{Scan}";

    public override string ToString() => string.Join('/', new[] { Project, Subject, Session, Scan }.Where(p => p is not null));

    /// <summary>
    /// Checks each level from the project down, so that a missing one is named:
    /// "no such subject S1 in project P". A private project of others is "no such project" as the API has it.
    /// </summary>
    public async Task EnsureExistsAsync(TesseraClient client, CancellationToken ct)
    {
        try
        {
            await client.GetProjectAsync(Project, ct);
        }
        catch (TesseraApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            throw new ArchivePathNotFoundException($"no such project {Project} (or it is private and you are not a member).");
        }
        if (Subject is not null && !await client.EntityExistsAsync(Project, $"subjects/{Subject}", ct))
        {
            throw new ArchivePathNotFoundException($"no such subject {Subject} in project {Project}.");
        }
        if (Session is not null && !await client.EntityExistsAsync(Project, $"subjects/{Subject}/sessions/{Session}", ct))
        {
            throw new ArchivePathNotFoundException($"no such session {Session} in {Project}/{Subject}.");
        }
        if (Scan is not null && !await client.EntityExistsAsync(Project, OwnerPath, ct))
        {
            throw new ArchivePathNotFoundException($"no such scan {Scan} in {Project}/{Subject}/{Session}.");
        }
    }
}
