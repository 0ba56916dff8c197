namespace Tessera.Server.DicomWeb;

/// <summary>A rendered answer's media type, and whether it goes as multipart/related (one part an image).</summary>
public sealed record RenderedForm(string MediaType, bool Multipart);

/// <summary>
/// Chooses the rendered media type (PS3.18 8.7.4): image/jpeg (the default, for <c>*/*</c> and <c>image/*</c>) or
/// image/png, single part, or as multipart/related parts when several images are wanted (frames of a multi-frame
/// instance). The heaviest-weighted acceptable range wins; image/gif, image/jp2 and video are not rendered.
/// </summary>
public static class RenderedNegotiation
{
    public const string Jpeg = "image/jpeg";
    public const string Png = "image/png";

    /// <param name="singleAllowed">False when the answer holds several images, which only multipart/related can carry.</param>
    public static RenderedForm? Select(AcceptHeader accept, bool singleAllowed)
    {
        ArgumentNullException.ThrowIfNull(accept);
        foreach (var range in accept.Effective)
        {
            if (range.IsWildcard)
                return new RenderedForm(Jpeg, Multipart: range.MediaType == "multipart/*" || !singleAllowed);
            if (range.IsMultipart)
            {
                if (Pick(range.PartType ?? Jpeg) is { } part)
                    return new RenderedForm(part, Multipart: true);
                continue;
            }
            if (singleAllowed && Pick(range.MediaType) is { } type)
                return new RenderedForm(type, Multipart: false);
        }
        return null;
    }

    private static string? Pick(string pattern) =>
        MediaRange.TypeMatches(pattern, Jpeg) ? Jpeg : MediaRange.TypeMatches(pattern, Png) ? Png : null;
}
