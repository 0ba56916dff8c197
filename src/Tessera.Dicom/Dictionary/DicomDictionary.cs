using System.Collections.Frozen;

namespace Tessera.Dicom.Dictionary;

/// <summary>The standard's data dictionary, generated from dcmtk's copy (scripts/generate-dicom-dictionary.py).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "PS3.6 calls it the data dictionary.")]
public static partial class DicomDictionary
{
    // Generated in the partial file; declared first so that the indexes below see it.
    private static readonly DicomDictionaryEntry[] s_entries = CreateEntries();

    private static readonly FrozenDictionary<uint, DicomDictionaryEntry> s_byTag =
        s_entries.Where(e => e.Mask == 0xFFFFFFFFu).ToFrozenDictionary(e => e.Tag);

    private static readonly DicomDictionaryEntry[] s_ranges = s_entries.Where(e => e.Mask != 0xFFFFFFFFu).ToArray();

    private static readonly FrozenDictionary<string, DicomDictionaryEntry> s_byKeyword =
        s_entries.GroupBy(e => e.Keyword, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.OrderBy(e => e.Retired).First(), StringComparer.Ordinal);

    public static IReadOnlyList<DicomDictionaryEntry> Entries => s_entries;

    /// <summary>The entry of a standard tag, including repeating groups such as overlays (60xx); null for private and unknown tags.</summary>
    public static DicomDictionaryEntry? Find(DicomTag tag)
    {
        if (s_byTag.TryGetValue(tag.Value, out var entry))
            return entry;
        if (tag.IsGroupLength)
            return GroupLength;
        if ((tag.Group & 1) == 1)
            return tag.IsPrivateCreator ? PrivateCreator : null;
        foreach (var range in s_ranges)
        {
            if ((tag.Value & range.Mask) == range.Tag)
                return range;
        }
        return null;
    }

    public static bool TryGetTag(string keyword, out DicomTag tag)
    {
        if (s_byKeyword.TryGetValue(keyword, out var entry))
        {
            tag = new DicomTag(entry.Tag);
            return true;
        }
        tag = default;
        return false;
    }

    public static string? KeywordOf(DicomTag tag) => Find(tag)?.Keyword;

    /// <summary>The VR of a tag read without one (implicit VR): the dictionary's, else UN (PS3.5 6.2.2).</summary>
    public static DicomVr ImplicitVr(DicomTag tag) => Find(tag)?.ImplicitVr ?? DicomVr.UN;

    private static readonly DicomDictionaryEntry GroupLength = new(0, 0xFFFF, "GroupLength", [DicomVr.UL], "1", true);
    private static readonly DicomDictionaryEntry PrivateCreator = new(0, 0, "PrivateCreator", [DicomVr.LO], "1", false);
}
