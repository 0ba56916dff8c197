namespace Tessera.Fuzz;

/// <summary>
/// The shared test corpus (../shared/testdata from the repository root, or TESSERA_TESTDATA) as seeds: small files
/// whole, larger ones cut to their first <see cref="MaxSeedBytes"/> (headers are what a parser meets first).
/// </summary>
public sealed class SeedCorpus(string? root)
{
    /// <summary>AFL++ mutates small inputs much faster; 64 KB holds every header and many whole files.</summary>
    public const int MaxSeedBytes = 64 << 10;

    /// <summary>Seeds per target from the corpus, smallest first: AFL++ spends its time on each, so more is slower, not better.</summary>
    public const int MaxSeedsPerTarget = 40;

    public string? Root { get; } = root;

    /// <summary>The corpus's files whose name ends with one of <paramref name="extensions"/>, or whose first bytes pass <paramref name="sniff"/>.</summary>
    public IEnumerable<Seed> Files(string[] extensions, Func<ReadOnlySpan<byte>, bool>? sniff = null)
    {
        if (Root is null || !Directory.Exists(Root))
            return [];
        var head = new byte[256];
        var chosen = new List<FileInfo>();
        foreach (var file in new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            if (extensions.Any(e => file.Name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            {
                chosen.Add(file);
                continue;
            }
            if (sniff is null || file.Length == 0)
                continue;
            using var stream = file.OpenRead();
            var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (sniff(head.AsSpan(0, n)))
                chosen.Add(file);
        }
        // Distinct sizes: the corpus repeats files (one per transfer syntax, copies in several folders).
        return chosen.OrderBy(f => f.Length).ThenBy(f => f.FullName, StringComparer.Ordinal)
            .DistinctBy(f => f.Length)
            .Take(MaxSeedsPerTarget)
            .Select(f => new Seed(Path.GetRelativePath(Root, f.FullName), Head(f)))
            .ToList();
    }

    /// <summary>Every file the corpus lists, for targets that make their seeds by converting them (DICOM to JSON).</summary>
    public IEnumerable<FileInfo> All() =>
        Root is null || !Directory.Exists(Root) ? [] : new DirectoryInfo(Root).EnumerateFiles("*", SearchOption.AllDirectories);

    private static byte[] Head(FileInfo file)
    {
        using var stream = file.OpenRead();
        var bytes = new byte[Math.Min(file.Length, MaxSeedBytes)];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>TESSERA_TESTDATA, else ../shared/testdata next to the repository that holds this program.</summary>
    public static SeedCorpus Find()
    {
        var configured = Environment.GetEnvironmentVariable("TESSERA_TESTDATA");
        if (!string.IsNullOrEmpty(configured))
            return new SeedCorpus(Directory.Exists(configured) ? configured : null);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Tessera.slnx")))
            {
                var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata"));
                return new SeedCorpus(Directory.Exists(candidate) ? candidate : null);
            }
        }
        return new SeedCorpus(null);
    }
}
