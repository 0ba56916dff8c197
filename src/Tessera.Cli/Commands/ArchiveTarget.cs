using Tessera.Archive.Hierarchy;

namespace Tessera.Cli.Commands;

/// <summary>A <c>PROJECT/SUBJECT/SESSION[/SCAN]</c> argument.</summary>
internal sealed record ArchiveTarget(string Project, string Subject, string Session, string? Scan)
{
    public static ArchiveTarget Parse(string value, bool allowScan)
    {
        var parts = (value ?? "").Trim('/').Split('/');
        if (parts.Length < 3 || parts.Length > (allowScan ? 4 : 3) || parts.Any(string.IsNullOrEmpty))
        {
            throw new UsageException(allowScan
                ? $"'{value}' is not PROJECT/SUBJECT/SESSION or PROJECT/SUBJECT/SESSION/SCAN."
                : $"'{value}' is not PROJECT/SUBJECT/SESSION.");
        }
        var names = new[] { "project", "subject", "session", "scan" };
        for (var i = 0; i < parts.Length; i++)
        {
            if (!Labels.IsValid(parts[i]))
            {
                throw new UsageException(
                    $"The {names[i]} label '{parts[i]}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-' (not '.' or '..' alone).");
            }
        }
        return new ArchiveTarget(parts[0], parts[1], parts[2], parts.Length == 4 ? parts[3] : null);
    }

    public string SubjectPath => $"subjects/{Subject}";

    public string SessionPath => $"{SubjectPath}/sessions/{Session}";

    /// <summary>The entity files go to: the scan when given, else the session.</summary>
    public string OwnerPath => Scan is null ? SessionPath : $"{SessionPath}/scans/{Scan}";

    public override string ToString() => Scan is null ? $"{Project}/{Subject}/{Session}" : $"{Project}/{Subject}/{Session}/{Scan}";
}
