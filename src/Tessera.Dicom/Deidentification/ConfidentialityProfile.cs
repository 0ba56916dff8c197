namespace Tessera.Dicom.Deidentification;

/// <summary>What the profile does to an attribute (PS3.15 E.1.1).</summary>
public enum DeidentificationAction
{
    /// <summary>K: keep.</summary>
    Keep,
    /// <summary>X: remove.</summary>
    Remove,
    /// <summary>Z: replace with a zero-length value (or a dummy where a value is required).</summary>
    Empty,
    /// <summary>D: replace with a dummy value of the VR.</summary>
    Dummy,
    /// <summary>C: clean: keep what is known not to identify, remove what does.</summary>
    Clean,
    /// <summary>U: replace the UID with one mapped consistently.</summary>
    Uid,
}

internal sealed record ProfileRow(uint Tag, uint Mask, string Basic, string? RetainLongitudinal, string? RetainPatientCharacteristics, string? CleanDescriptors);

/// <summary>PS3.15 Table E.1-1 (generated into ConfidentialityProfile.Rows.g.cs) and the choice of action under the options.</summary>
internal static partial class ConfidentialityProfile
{
    /// <summary>Lookups over the generated rows (a nested class, so that they are built after the rows, whatever the file order).</summary>
    private static class Index
    {
        public static readonly Dictionary<uint, ProfileRow> Exact = s_rows.Where(r => r.Mask == 0xFFFFFFFFu).ToDictionary(r => r.Tag);
        public static readonly ProfileRow[] Masked = s_rows.Where(r => r.Mask != 0xFFFFFFFFu).ToArray();
    }

    /// <summary>The action for a public attribute, or null when the table does not name it (it is kept).</summary>
    public static DeidentificationAction? ActionFor(DicomTag tag, DeidentificationOptions options)
    {
        var row = Index.Exact.GetValueOrDefault(tag.Value) ?? Array.Find(Index.Masked, r => (tag.Value & r.Mask) == r.Tag);
        if (row is null)
            return null;
        var chosen = options.RetainLongitudinalTemporal && row.RetainLongitudinal is { } temporal ? temporal
            : options.RetainPatientCharacteristics && row.RetainPatientCharacteristics is { } characteristics ? characteristics
            : options.CleanDescriptors && row.CleanDescriptors is { } descriptors ? descriptors
            : row.Basic;
        return Parse(chosen);
    }

    /// <summary>
    /// Combined codes depend on the attribute's Type in the IOD (X for Type 3, Z for Type 2, D for
    /// Type 1). Without the IOD at hand, the choice keeps the object valid: Z where an empty value is
    /// allowed by some IOD, D where the code says Type 1, U for UIDs.
    /// </summary>
    private static DeidentificationAction Parse(string code) => code switch
    {
        "K" => DeidentificationAction.Keep,
        "X" => DeidentificationAction.Remove,
        "Z" or "X/Z" or "Z/D" or "X/Z/D" => DeidentificationAction.Empty,
        "D" or "X/D" => DeidentificationAction.Dummy,
        "C" => DeidentificationAction.Clean,
        "U" or "X/Z/U*" => DeidentificationAction.Uid,
        _ => DeidentificationAction.Remove,
    };
}
