using Tessera.Archive;
using Tessera.Archive.Files;

namespace Tessera.Pipelines.Jobs;

/// <summary>A job's target: a session or a scan, named by its path in the project.</summary>
public static class JobTarget
{
    /// <summary>Reads <c>subjects/S/sessions/E</c> or <c>subjects/S/sessions/E/scans/N</c>.</summary>
    public static FileOwner Parse(string? target)
    {
        var parts = (target ?? "").Trim('/').Split('/');
        return parts switch
        {
            ["subjects", var s, "sessions", var e] when s.Length > 0 && e.Length > 0 => new FileOwner(s, e),
            ["subjects", var s, "sessions", var e, "scans", var n] when s.Length > 0 && e.Length > 0 && n.Length > 0 => new FileOwner(s, e, n),
            _ => throw TesseraException.Invalid(
                $"A job's target is a session or a scan of the project: subjects/S01/sessions/E01 or subjects/S01/sessions/E01/scans/3, not '{target}'."),
        };
    }
}
