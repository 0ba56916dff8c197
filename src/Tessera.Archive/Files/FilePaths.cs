namespace Tessera.Archive.Files;

/// <summary>
/// A file path inside a resource: relative, '/'-separated, no empty, "." or ".." segments, no
/// control characters or backslashes, at most 1024 characters. Rejected, never normalised, so
/// that what is stored is exactly what the client named.
/// </summary>
public static class FilePaths
{
    public const int MaximumLength = 1024;

    public static void Validate(string? path)
    {
        var problem = Check(path);
        if (problem is not null)
        {
            throw TesseraException.Invalid($"The file path is not valid: {problem}.");
        }
    }

    public static bool IsValid(string? path) => Check(path) is null;

    private static string? Check(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "it is empty";
        }
        if (path.Length > MaximumLength)
        {
            return $"it is longer than {MaximumLength} characters";
        }
        if (path[0] == '/')
        {
            return "it must be relative, not start with '/'";
        }
        if (path.Any(c => char.IsControl(c) || c == '\\'))
        {
            return "it contains a control character or a backslash";
        }
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it contains an empty segment ('//' or a trailing '/')";
            }
            if (segment is "." or "..")
            {
                return "'.' and '..' segments are not allowed";
            }
        }
        return null;
    }
}
