namespace Tessera.Server.Web;

/// <summary>
/// Where an upload area sends its files: a session (optionally into a scan), or a project's
/// import area, where the subject and session are typed in or taken from folder names.
/// </summary>
public sealed record UploadArea(string Project, string? Subject = null, string? Session = null)
{
    public bool IsImport => Session is null;
}
