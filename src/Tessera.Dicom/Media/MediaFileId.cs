namespace Tessera.Dicom.Media;

/// <summary>
/// File IDs of a file-set (PS3.10 8.2, 8.5): the components of a Referenced File ID (0004,1500), each
/// a folder or file name below the DICOMDIR's folder. Those we write follow the standard exactly; those
/// we read are taken as discs come in the field (lower case, ISO 9660 <c>;1</c> versions, a trailing
/// dot) but never as a way out of the file-set: no empty, <c>.</c> or <c>..</c> component, no drive,
/// no separator inside a component, no control character.
/// </summary>
public static class MediaFileId
{
    /// <summary>PS3.10 8.5: at most 8 components.</summary>
    public const int MaxComponents = 8;

    /// <summary>PS3.10 8.5: each component 1 to 8 characters.</summary>
    public const int MaxComponentLength = 8;

    // A hostile DICOMDIR may name anything; what is past these bounds is refused, not truncated.
    private const int MaxReadComponents = 32;
    private const int MaxReadComponentLength = 255;

    /// <summary>Whether a component is what PS3.10 8.5 allows: 1–8 of A–Z, 0–9 and underscore.</summary>
    public static bool IsStandardComponent(string component) =>
        component.Length is >= 1 and <= MaxComponentLength && component.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9' or '_');

    /// <summary>Whether a whole file ID is one PS3.10 allows.</summary>
    public static bool IsStandard(IReadOnlyList<string> components) =>
        components.Count is >= 1 and <= MaxComponents && components.All(IsStandardComponent);

    /// <summary>
    /// Checks the components of a file ID read from a DICOMDIR; null when they may be looked for inside
    /// the file-set, else why not.
    /// </summary>
    public static string? Check(IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        if (components.Count == 0)
            return "it is empty";
        if (components.Count > MaxReadComponents)
            return $"it has {components.Count} components";
        foreach (var component in components)
        {
            var name = component.Trim(' ');
            if (name.Length == 0)
                return "it has an empty component (an absolute path, or two backslashes)";
            if (name is "." or "..")
                return $"it has a '{name}' component, which would leave the file-set";
            if (name.Length > MaxReadComponentLength)
                return $"a component is {name.Length} characters long";
            if (name.Any(c => c is '/' or ':' or '\\' || char.IsControl(c)))
                return "a component holds a '/', ':' or control character";
        }
        return null;
    }

    /// <summary>
    /// The form in which a file ID and a path on disc are compared: components upper-cased, an ISO 9660
    /// version (<c>;1</c>) and a trailing dot removed, joined by '/'. Operating systems change the case of
    /// names read from a disc, and some show the version suffix.
    /// </summary>
    public static string MatchKey(IEnumerable<string> components) =>
        string.Join('/', components.Select(NormaliseComponent));

    /// <summary>The match key of a relative path ('/'-separated) of a file present beside a DICOMDIR.</summary>
    public static string MatchKey(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        return MatchKey(relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Whether a file's name (its last path component) is a DICOMDIR's, however a disc's reader spelled it.</summary>
    public static bool IsDicomDirName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path[(path.LastIndexOfAny(['/', '\\']) + 1)..];
        return NormaliseComponent(name) == "DICOMDIR";
    }

    private static readonly System.Buffers.SearchValues<char> s_digits = System.Buffers.SearchValues.Create("0123456789");

    private static string NormaliseComponent(string component)
    {
        var name = component.Trim(' ');
        var semicolon = name.LastIndexOf(';');
        if (semicolon >= 0 && semicolon < name.Length - 1 && !name.AsSpan(semicolon + 1).ContainsAnyExcept(s_digits))
            name = name[..semicolon];
        else if (semicolon == name.Length - 1 && semicolon >= 0)
            name = name[..semicolon];
        return name.TrimEnd('.').ToUpperInvariant();
    }
}
