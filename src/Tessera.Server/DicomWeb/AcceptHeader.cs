using Microsoft.Net.Http.Headers;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// What a DICOMweb client accepts (PS3.18 8.7): media types, and for multipart/related the part type
/// and transfer syntax. An absent header accepts anything.
/// </summary>
public sealed class AcceptHeader
{
    private readonly List<(string MediaType, string? Type, string? TransferSyntax)> _entries = [];

    public static AcceptHeader Parse(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var accept = new AcceptHeader();
        foreach (var value in request.Headers.Accept)
        {
            if (string.IsNullOrWhiteSpace(value) || !MediaTypeHeaderValue.TryParseList([value], out var list))
                continue;
            foreach (var media in list)
            {
                string? type = null, syntax = null;
                foreach (var parameter in media.Parameters)
                {
                    if (parameter.Name.Equals("type", StringComparison.OrdinalIgnoreCase))
                        type = HeaderUtilities.RemoveQuotes(parameter.Value).Value;
                    else if (parameter.Name.Equals("transfer-syntax", StringComparison.OrdinalIgnoreCase))
                        syntax = HeaderUtilities.RemoveQuotes(parameter.Value).Value;
                }
                accept._entries.Add((media.MediaType.Value ?? "", type, syntax));
            }
        }
        return accept;
    }

    public bool IsEmpty => _entries.Count == 0;

    /// <summary>Whether a multipart/related answer of parts of <paramref name="partType"/> in <paramref name="syntaxUid"/> is acceptable.</summary>
    public bool AllowsMultipart(string partType, string? syntaxUid) => IsEmpty || _entries.Any(e =>
        IsAny(e.MediaType)
        || e.MediaType.Equals("multipart/related", StringComparison.OrdinalIgnoreCase)
           && (e.TransferSyntax == "*" || (e.Type is null || IsAny(e.Type) || e.Type.Equals(partType, StringComparison.OrdinalIgnoreCase))
               && (e.TransferSyntax is null || syntaxUid is null || e.TransferSyntax == syntaxUid)));

    /// <summary>Whether a single-part answer of one of <paramref name="mediaTypes"/> is acceptable.</summary>
    public bool Allows(params string[] mediaTypes) => IsEmpty || _entries.Any(e =>
        IsAny(e.MediaType) || mediaTypes.Any(m => e.MediaType.Equals(m, StringComparison.OrdinalIgnoreCase)));

    public override string ToString() => string.Join(", ", _entries.Select(e => e.MediaType + (e.Type is null ? "" : $"; type={e.Type}")
        + (e.TransferSyntax is null ? "" : $"; transfer-syntax={e.TransferSyntax}")));

    private static bool IsAny(string mediaType) => mediaType is "*/*" or "multipart/*";
}
