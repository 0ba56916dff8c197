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
            if (!MediaTypeHeaderValue.TryParseList([value], out var list))
                continue;
            foreach (var media in list)
            {
                if (ToRange(media, order++) is { Quality: > 0 } range)
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

    private static MediaRange? ToRange(MediaTypeHeaderValue media, int order)
    {
        string? type = null, syntax = null;
        var quality = 1.0;
        foreach (var parameter in media.Parameters)
        {
            var value = HeaderUtilities.RemoveQuotes(parameter.Value).Value;
            if (parameter.Name.Equals("type", StringComparison.OrdinalIgnoreCase))
                type = value;
            else if (parameter.Name.Equals("transfer-syntax", StringComparison.OrdinalIgnoreCase))
                syntax = value?.Trim();
            else if (parameter.Name.Equals("q", StringComparison.OrdinalIgnoreCase)
                && (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out quality) || quality > 1))
                return null;
        }
        var mediaType = media.MediaType.Value;
        if (string.IsNullOrEmpty(mediaType) || !mediaType.Contains('/', StringComparison.Ordinal))
            return null;
        return new MediaRange(mediaType.ToLowerInvariant(), type?.Trim().ToLowerInvariant(), string.IsNullOrEmpty(syntax) ? null : syntax, quality, order);
    }
}
