using Tessera.Dicom;
using Tessera.Imaging.Codecs;

namespace Tessera.Server.DicomWeb;

/// <summary>One form the server can send a resource in: the part's media type and transfer syntax, and whether that is how it is stored.</summary>
public sealed record Representation(string MediaType, string TransferSyntaxUid, bool AsStored)
{
    public override string ToString() => $"multipart/related; type=\"{MediaType}\"; transfer-syntax={TransferSyntaxUid}";
}

/// <summary>The form chosen for an answer, and whether it goes as multipart/related or as a single part.</summary>
public sealed record Selection(Representation Representation, bool Multipart);

/// <summary>
/// Chooses how a DICOM resource is sent (PS3.18 8.7.3 and 8.7.8) from what the client accepts and what the server
/// can make of the stored object. The heaviest-weighted media ranges are tried first; among ranges of equal weight
/// the stored form wins when one of them allows it (nothing is decoded that need not be). A range names its part
/// type (the resource's default type when multipart/related has none) and a transfer syntax: "*" takes the stored
/// form (whatever the part type), a UID takes exactly that syntax, and none takes the media type's default (Explicit VR Little Endian for
/// application/dicom and application/octet-stream; for a codec's own type its default syntax or, as stored, another
/// syntax of that type, since Tessera decodes but does not encode into compressed syntaxes). <c>*/*</c> (and a request
/// without Accept) takes the resource's default, or, when that cannot be made (a video syntax that is not decoded),
/// the stored form, as PS3.18 8.7.3 allows for what the server holds only compressed.
/// </summary>
public static class RetrieveNegotiation
{
    /// <summary>How a stored instance can be sent: as stored, and in Explicit VR Little Endian when it can be made.</summary>
    public static IReadOnlyList<Representation> InstanceForms(string storedSyntaxUid)
    {
        ArgumentNullException.ThrowIfNull(storedSyntaxUid);
        var explicitLittle = TransferSyntax.ExplicitVrLittleEndian.Uid;
        var stored = new Representation(DicomMediaTypes.Dicom, storedSyntaxUid, AsStored: true);
        return storedSyntaxUid == explicitLittle || !CanDecode(storedSyntaxUid)
            ? [stored]
            : [stored, new Representation(DicomMediaTypes.Dicom, explicitLittle, AsStored: false)];
    }

    /// <summary>
    /// How the frames (or encapsulated pixel data) of an instance can be sent: native pixels as little-endian
    /// octet-stream; compressed ones in their codec's media type as stored, and decoded to octet-stream when they can be.
    /// </summary>
    public static IReadOnlyList<Representation> FrameForms(TransferSyntax stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var native = new Representation(DicomMediaTypes.OctetStream, TransferSyntax.ExplicitVrLittleEndian.Uid, AsStored: true);
        if (!stored.Encapsulated || stored == TransferSyntax.EncapsulatedUncompressedExplicitVrLittleEndian)
            return [native];
        var asStored = new Representation(DicomMediaTypes.OfFrames(stored), stored.Uid, AsStored: true);
        return CanDecode(stored.Uid) ? [asStored, native with { AsStored = false }] : [asStored];
    }

    /// <summary>Whether pixel data in this syntax can be decoded to native pixels (every syntax but video and unknown ones).</summary>
    public static bool CanDecode(string syntaxUid) => !TransferSyntax.Lookup(syntaxUid).Encapsulated || FrameDecoders.Supports(TransferSyntax.Lookup(syntaxUid));

    /// <summary>
    /// The form to send, or null when none of <paramref name="forms"/> is acceptable (406).
    /// </summary>
    /// <param name="defaultType">The resource's default media type: application/dicom for instances, octet-stream for bulk data.</param>
    /// <param name="singlePart">Whether the answer is one part, so that a single-part media type may be asked for.</param>
    public static Selection? Select(AcceptHeader accept, IReadOnlyList<Representation> forms, string defaultType, bool singlePart)
    {
        ArgumentNullException.ThrowIfNull(accept);
        ArgumentNullException.ThrowIfNull(forms);
        var fallback = forms.FirstOrDefault(f => f.MediaType == defaultType && f.TransferSyntaxUid == DicomMediaTypes.DefaultSyntax(defaultType))
            ?? forms.FirstOrDefault(f => f.AsStored);
        foreach (var group in accept.Effective.GroupBy(r => r.Quality))
        {
            var candidates = new List<Selection>();
            foreach (var range in group)
            {
                foreach (var form in forms)
                {
                    if (Matches(range, form, fallback, defaultType, singlePart, out var multipart))
                        candidates.Add(new Selection(form, multipart));
                }
            }
            if (candidates.Count > 0)
                return candidates.FirstOrDefault(c => c.Representation.AsStored) ?? candidates[0];
        }
        return null;
    }

    private static bool Matches(MediaRange range, Representation form, Representation? fallback, string defaultType, bool singlePart, out bool multipart)
    {
        multipart = true;
        if (range.IsWildcard)
            return form == fallback;
        string part;
        if (range.IsMultipart)
        {
            part = range.PartType ?? defaultType;
        }
        else
        {
            multipart = false;
            part = range.MediaType;
            if (!singlePart)
                return false;
        }
        // transfer-syntax=* takes any syntax, the stored one above all, whatever part type it names: viewers ask for
        // frames as stored with type="application/octet-stream"; transfer-syntax=* and read the syntax from the part.
        if (range.TransferSyntax == "*")
            return form.AsStored || MediaRange.TypeMatches(part, form.MediaType);
        if (!MediaRange.TypeMatches(part, form.MediaType))
            return false;
        if (range.TransferSyntax is { } uid)
            return uid == form.TransferSyntaxUid;
        if (part.Contains('*', StringComparison.Ordinal))
            return form == fallback || form.AsStored && DicomMediaTypes.IsCompressed(form.MediaType) && part != "*/*";
        return DicomMediaTypes.DefaultSyntax(form.MediaType) == form.TransferSyntaxUid
            || form.AsStored && DicomMediaTypes.IsCompressed(form.MediaType);
    }

    /// <summary>The 406 answer's text: what the object is and every form it can be had in.</summary>
    public static string Refusal(string what, string storedSyntaxUid, IReadOnlyList<Representation> forms, AcceptHeader accept)
    {
        ArgumentNullException.ThrowIfNull(forms);
        var syntax = TransferSyntax.Lookup(storedSyntaxUid);
        var cannot = CanDecode(storedSyntaxUid) ? "" : " (it cannot be decoded, so it is not sent uncompressed)";
        return $"{what} is stored in {syntax.Name} ({syntax.Uid}){cannot}; it can be sent as {string.Join(" or ", forms)}, "
            + $"or with transfer-syntax=* as stored. Accepted: {accept}";
    }
}
