using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Tessera.Server.DicomWeb;

/// <summary>
/// What a DICOMweb client accepts (PS3.18 8.7.5–8.7.7): the media ranges of the <c>accept</c> query parameter
/// (first) and of the Accept header, each with its part type and transfer syntax for multipart/related and its
/// weight. Ranges weighted q=0 are left out; ranges that do not parse are ignored, as PS3.18 8.7.7 says. A request
/// with neither is taken as <c>*/*</c> (PS3.18 would answer 406; common clients send no Accept).
/// </summary>
public sealed class AcceptHeader
{
    private readonly List<MediaRange> _ranges = [];

    private AcceptHeader(bool given) => Given = given;

    /// <summary>Whether the request said anything about what it accepts.</summary>
    public bool Given { get; }

    /// <summary>The ranges by weight, heaviest first; equal weights in the order they were given.</summary>
    public IReadOnlyList<MediaRange> Ranges => _ranges;

    /// <summary>The ranges the request gives, or a single <c>*/*</c> when it gives none.</summary>
    public IReadOnlyList<MediaRange> Effective => Given ? _ranges : [MediaRange.Any];

    public static AcceptHeader Parse(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var values = request.Query["accept"].Concat(request.Headers.Accept).Where(v => !string.IsNullOrWhiteSpace(v)).ToList();
        return Parse(values!);
    }

    /// <summary>Parses header values (each a comma-separated list of media ranges).</summary>
    public static AcceptHeader Parse(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var accept = new AcceptHeader(values.Count > 0);
        var order = 0;
        foreach (var value in values)
        {
            foreach (var text in Split(value, ','))
            {
                if (ToRange(text, order++) is { Quality: > 0 } range)
                    accept._ranges.Add(range);
            }
        }
        // A stable sort: equal weights keep the client's order.
        var sorted = accept._ranges.OrderByDescending(r => r.Quality).ThenBy(r => r.Order).ToList();
        accept._ranges.Clear();
        accept._ranges.AddRange(sorted);
        return accept;
    }

    /// <summary>Whether a single-part answer of one of <paramref name="mediaTypes"/> is acceptable.</summary>
    public bool Allows(params string[] mediaTypes) => Effective.Any(r =>
        r.IsWildcard || mediaTypes.Any(m => MediaRange.TypeMatches(r.MediaType, m)));

    public override string ToString() => Given ? string.Join(", ", _ranges) : "(no Accept header)";

    /// <summary>
    /// One media range: <c>type/subtype</c> and <c>;</c>-separated parameters, values quoted or not. Clients often
    /// leave <c>type=application/dicom</c> unquoted, which RFC 9110's token grammar does not allow: it is taken as meant.
    /// </summary>
    private static MediaRange? ToRange(string text, int order)
    {
        var parts = Split(text, ';');
        var mediaType = parts.Count > 0 ? parts[0].Trim().ToLowerInvariant() : "";
        var slash = mediaType.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == mediaType.Length - 1 || mediaType.Any(char.IsWhiteSpace))
            return null;
        string? type = null, syntax = null;
        var quality = 1.0;
        foreach (var parameter in parts.Skip(1))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
                continue;
            var name = parameter[..equals].Trim();
            var value = HeaderUtilities.RemoveQuotes(parameter[(equals + 1)..].Trim()).Value?.Trim() ?? "";
            if (name.Equals("type", StringComparison.OrdinalIgnoreCase))
                type = value.ToLowerInvariant();
            else if (name.Equals("transfer-syntax", StringComparison.OrdinalIgnoreCase))
                syntax = value;
            else if (name.Equals("q", StringComparison.OrdinalIgnoreCase)
                && (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality) || quality > 1))
                return null;
        }
        return new MediaRange(mediaType, string.IsNullOrEmpty(type) ? null : type, string.IsNullOrEmpty(syntax) ? null : syntax, quality, order);
    }

    /// <summary>Splits at <paramref name="separator"/> outside double quotes.</summary>
    private static List<string> Split(string text, char separator)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
                quoted = !quoted;
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts.Where(p => p.Trim().Length > 0).ToList();
    }
}
