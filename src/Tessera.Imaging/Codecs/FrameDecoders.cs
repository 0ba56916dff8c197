namespace Tessera.Imaging.Codecs;

/// <summary>
/// The one registration list of pixel decoders, by DICOM transfer syntax UID (no assembly scanning).
/// Uncompressed syntaxes (implicit, explicit, big endian, deflated) reach the native decoder after the reader has
/// normalised their byte order.
/// </summary>
public static class FrameDecoders
{
    private static readonly Dictionary<string, IFrameDecoder> ByTransferSyntax = new(StringComparer.Ordinal)
    {
        ["1.2.840.10008.1.2"] = NativeDecoder.Instance,
        ["1.2.840.10008.1.2.1"] = NativeDecoder.Instance,
        ["1.2.840.10008.1.2.1.99"] = NativeDecoder.Instance,
        ["1.2.840.10008.1.2.2"] = NativeDecoder.Instance,
        ["1.2.840.10008.1.2.1.98"] = NativeDecoder.Instance,
        ["1.2.840.10008.1.2.5"] = RleDecoder.Instance,
        ["1.2.840.10008.1.2.4.50"] = Jpeg.JpegDecoder.Instance,
        ["1.2.840.10008.1.2.4.51"] = Jpeg.JpegDecoder.Instance,
        ["1.2.840.10008.1.2.4.57"] = Jpeg.JpegDecoder.Instance,
        ["1.2.840.10008.1.2.4.70"] = Jpeg.JpegDecoder.Instance,
        ["1.2.840.10008.1.2.4.80"] = JpegLsDecoder.Instance,
        ["1.2.840.10008.1.2.4.81"] = JpegLsDecoder.Instance,
        ["1.2.840.10008.1.2.4.90"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.91"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.92"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.93"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.201"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.202"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.203"] = Jpeg2000Decoder.Instance,
        ["1.2.840.10008.1.2.4.110"] = JpegXlDecoder.Instance,
        ["1.2.840.10008.1.2.4.111"] = JpegXlDecoder.Instance,
        ["1.2.840.10008.1.2.4.112"] = JpegXlDecoder.Instance,
        ["1.2.840.10008.1.2.8.1"] = DeflatedFrameDecoder.Instance,
    };

    /// <summary>The decoder of a transfer syntax, or an <see cref="ImageErrorKind.Unsupported"/> error naming it.</summary>
    public static IFrameDecoder For(string transferSyntaxUid, string? transferSyntaxName = null)
    {
        if (ByTransferSyntax.TryGetValue(transferSyntaxUid, out var decoder))
            return decoder;
        var name = transferSyntaxName is null ? transferSyntaxUid : $"{transferSyntaxName} ({transferSyntaxUid})";
        throw ImageException.Unsupported($"pixel data in the transfer syntax {name} cannot be decoded (video and other syntaxes are not supported)");
    }

    public static bool Supports(string transferSyntaxUid) => ByTransferSyntax.ContainsKey(transferSyntaxUid);
}
