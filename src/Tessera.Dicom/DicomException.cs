namespace Tessera.Dicom;

/// <summary>Input that is not valid DICOM, with where it went wrong.</summary>
public class DicomException : Exception
{
    public DicomException(string message, long offset = -1, DicomTag? tag = null, Exception? inner = null)
        : base(Describe(message, offset, tag), inner)
    {
        Offset = offset;
        Tag = tag;
        Reason = message;
    }

    /// <summary>The byte offset in the stream (of the decoded dataset for deflated files), or -1.</summary>
    public long Offset { get; }

    public DicomTag? Tag { get; }

    /// <summary>The message without tag and offset.</summary>
    public string Reason { get; }

    private static string Describe(string message, long offset, DicomTag? tag)
    {
        var at = (tag, offset) switch
        {
            (not null, >= 0) => $" (at {tag}, offset {offset})",
            (not null, _) => $" (at {tag})",
            (null, >= 0) => $" (at offset {offset})",
            _ => "",
        };
        return message + at;
    }
}

/// <summary>The input ends before the encoding says it should: a truncated file or transfer.</summary>
public sealed class DicomTruncatedException(string message, long offset, DicomTag? tag = null)
    : DicomException(message, offset, tag);
