using System.Collections.Frozen;

namespace Tessera.Dicom.Dictionary;

/// <summary>A registered UID of PS3.6 Annex A: SOP classes, transfer syntaxes, well-known instances.</summary>
public sealed record DicomUidEntry(string Uid, string Keyword, bool Retired)
{
    /// <summary>A storage SOP class (what C-STORE and STOW-RS carry).</summary>
    public bool IsStorage => Keyword.EndsWith("Storage", StringComparison.Ordinal) && !Keyword.Contains("Commitment", StringComparison.Ordinal);
}

/// <summary>The UID registry, generated from dcmtk's copy (scripts/generate-dicom-dictionary.py).</summary>
public static partial class DicomUids
{
    // Generated in the partial file; declared first so that the indexes below see it.
    private static readonly DicomUidEntry[] s_entries = CreateEntries();

    private static readonly FrozenDictionary<string, DicomUidEntry> s_byUid = s_entries.ToFrozenDictionary(e => e.Uid, StringComparer.Ordinal);

    /// <summary>VL Whole Slide Microscopy Image Storage (PS3.3 A.32.8): the instances of a slide's pyramid.</summary>
    public const string VlWholeSlideMicroscopyImageStorage = "1.2.840.10008.5.1.4.1.1.77.1.6";

    public static IReadOnlyList<DicomUidEntry> Entries => s_entries;

    public static DicomUidEntry? Find(string? uid) =>
        uid is not null && s_byUid.TryGetValue(uid.TrimEnd('\0', ' '), out var entry) ? entry : null;

    /// <summary>The keyword of a registered UID ("MRImageStorage"), or the UID itself.</summary>
    public static string Describe(string uid) => Find(uid)?.Keyword ?? uid;
}
