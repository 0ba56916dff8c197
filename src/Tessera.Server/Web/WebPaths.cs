namespace Tessera.Server.Web;

/// <summary>Stable page URLs: the API's paths without the <c>/api</c> prefix.</summary>
public static class WebPaths
{
    public static string Project(string p) => $"/projects/{p}";

    public static string Members(string p) => $"{Project(p)}/members";

    public static string Settings(string p) => $"{Project(p)}/settings";

    public static string Jobs(string p) => $"{Project(p)}/jobs";

    public static string Job(string p, Guid job) => $"{Project(p)}/jobs/{job}";

    public static string Triggers(string p) => $"{Project(p)}/triggers";

    public static string Subject(string p, string s) => $"{Project(p)}/subjects/{s}";

    public static string Session(string p, string s, string e) => $"{Subject(p, s)}/sessions/{e}";

    public static string Scan(string p, string s, string e, string n) => $"{Session(p, s, e)}/scans/{n}";

    /// <summary>The API URL of a file's content (the page links to it for download).</summary>
    public static string FileContent(string p, string ownerPath, string resource, string path) =>
        $"/api/projects/{p}/{(ownerPath.Length == 0 ? "" : ownerPath + "/")}resources/{resource}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    public static string SessionZip(string p, string s, string e) => $"/api/projects/{p}/subjects/{s}/sessions/{e}/files.zip";

    /// <summary>The API URL of a session's DICOM media (a zip with a DICOMDIR).</summary>
    public static string SessionMedia(string p, string s, string e) => $"/api/projects/{p}/subjects/{s}/sessions/{e}/dicom-media";

    public static string ScanMedia(string p, string s, string e, string n) => $"/api/projects/{p}/subjects/{s}/sessions/{e}/scans/{n}/dicom-media";

    /// <summary>Human-readable byte counts (KB = 1000 bytes, as file managers show them).</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : $"{value:0.#} {units[unit]}";
    }
}
