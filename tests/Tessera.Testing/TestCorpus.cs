using Xunit;

namespace Tessera.Testing;

/// <summary>
/// The shared test corpus (../shared/testdata, or TESSERA_TESTDATA): real files written by others.
/// Tests that need it skip themselves, by name, on a machine without it.
/// </summary>
public static class TestCorpus
{
    private static readonly Lazy<string?> s_root = new(FindRoot);
    private static readonly Lazy<List<ManifestEntry>> s_manifest = new(LoadManifest);

    public static string? Root => s_root.Value;

    public static IReadOnlyList<ManifestEntry> Manifest => s_manifest.Value;

    /// <summary>The full path of a corpus file; skips the calling test when the corpus is absent.</summary>
    public static string File(string relative)
    {
        RequireCorpus();
        return Path.Combine(Root!, relative);
    }

    public static void RequireCorpus()
    {
        if (Root is null)
            Assert.Skip("the test corpus is not on this machine (set TESSERA_TESTDATA or put it at ../shared/testdata)");
    }

    /// <summary>Every DICOM file of the manifest (readable or flagged unreadable by its authors' tools).</summary>
    public static IEnumerable<ManifestEntry> DicomFiles =>
        Manifest.Where(e => e.Details.StartsWith("TS=", StringComparison.Ordinal) || e.Details.StartsWith("dicom-unreadable", StringComparison.Ordinal));

    private static string? FindRoot()
    {
        var configured = Environment.GetEnvironmentVariable("TESSERA_TESTDATA");
        if (!string.IsNullOrEmpty(configured))
            return Directory.Exists(configured) ? configured : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Tessera.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
                return System.IO.File.Exists(Path.Combine(candidate, "MANIFEST.tsv")) ? candidate : null;
            }
        }
        return null;
    }

    private static List<ManifestEntry> LoadManifest()
    {
        if (Root is null)
            return [];
        return System.IO.File.ReadLines(Path.Combine(Root, "MANIFEST.tsv"))
            .Skip(1)
            .Select(line => line.Split('\t'))
            .Where(cols => cols.Length >= 3)
            .Select(cols => new ManifestEntry(cols[0], long.Parse(cols[1]), cols[2], cols.Length > 3 ? cols[3] : ""))
            .ToList();
    }
}

/// <summary>A line of MANIFEST.tsv: path, size, SHA-256 and what the corpus's authors' tools (pydicom) read in it.</summary>
public sealed record ManifestEntry(string Path, long Bytes, string Sha256, string Details)
{
    /// <summary>"TS=...; SOP=...; Rows=..." as a map.</summary>
    public IReadOnlyDictionary<string, string> Fields =>
        Details.Split("; ").Select(part => part.Split('=', 2)).Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.First()[1]);

    public override string ToString() => Path;
}
