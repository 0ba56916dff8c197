namespace Tessera.Archive.Files;

/// <summary>Where a resource hangs, named by labels as in a URL: the project itself when all are null.</summary>
public sealed record FileOwner(string? Subject = null, string? Session = null, string? Scan = null)
{
    public static readonly FileOwner Project = new();

    /// <summary>The owner's path inside its project, e.g. <c>subjects/S1/sessions/E1</c>; empty for the project.</summary>
    public string Path => Scan is not null ? $"subjects/{Subject}/sessions/{Session}/scans/{Scan}"
        : Session is not null ? $"subjects/{Subject}/sessions/{Session}"
        : Subject is not null ? $"subjects/{Subject}"
        : "";

    /// <summary><see cref="Path"/> followed by '/', or empty for the project.</summary>
    public string PathPrefix => Path.Length == 0 ? "" : Path + "/";
}
