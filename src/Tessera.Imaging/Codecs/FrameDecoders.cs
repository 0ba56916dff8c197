using Tessera.Dicom;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// The one registration list of pixel decoders, by DICOM transfer syntax (no assembly scanning). Uncompressed
/// syntaxes (implicit, explicit, big endian, deflated) reach the native decoder after the reader has normalised
/// their byte order.
/// </summary>
public static class FrameDecoders
{
    private static readonly Dictionary<string, IFrameDecoder> ByTransferSyntax = new (TransferSyntax Syntax, IFrameDecoder Decoder)[]
    {
        (TransferSyntax.ImplicitVrLittleEndian, NativeDecoder.Instance),
        (TransferSyntax.ExplicitVrLittleEndian, NativeDecoder.Instance),
        (TransferSyntax.DeflatedExplicitVrLittleEndian, NativeDecoder.Instance),
        (TransferSyntax.ExplicitVrBigEndian, NativeDecoder.Instance),
        (TransferSyntax.EncapsulatedUncompressedExplicitVrLittleEndian, NativeDecoder.Instance),
        (TransferSyntax.Rle, RleDecoder.Instance),
        (TransferSyntax.JpegBaseline, Jpeg.JpegDecoder.Instance),
        (TransferSyntax.JpegExtended, Jpeg.JpegDecoder.Instance),
        (TransferSyntax.JpegLossless, Jpeg.JpegDecoder.Instance),
        (TransferSyntax.JpegLosslessSv1, Jpeg.JpegDecoder.Instance),
        (TransferSyntax.JpegLsLossless, JpegLsDecoder.Instance),
        (TransferSyntax.JpegLsNearLossless, JpegLsDecoder.Instance),
        (TransferSyntax.Jpeg2000Lossless, Jpeg2000Decoder.Instance),
        (TransferSyntax.Jpeg2000, Jpeg2000Decoder.Instance),
        (TransferSyntax.Jpeg2000Part2Lossless, Jpeg2000Decoder.Instance),
        (TransferSyntax.Jpeg2000Part2, Jpeg2000Decoder.Instance),
        (TransferSyntax.Htj2kLossless, Jpeg2000Decoder.Instance),
        (TransferSyntax.Htj2kLosslessRpcl, Jpeg2000Decoder.Instance),
        (TransferSyntax.Htj2k, Jpeg2000Decoder.Instance),
        (TransferSyntax.JpegXlLossless, JpegXlDecoder.Instance),
        (TransferSyntax.JpegXlRecompression, JpegXlDecoder.Instance),
        (TransferSyntax.JpegXl, JpegXlDecoder.Instance),
        (TransferSyntax.DeflatedImageFrame, DeflatedFrameDecoder.Instance),
    }.ToDictionary(entry => entry.Syntax.Uid, entry => entry.Decoder, StringComparer.Ordinal);

    /// <summary>The decoder of a transfer syntax, or an <see cref="ImageErrorKind.Unsupported"/> error naming it.</summary>
    public static IFrameDecoder For(TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        if (ByTransferSyntax.TryGetValue(syntax.Uid, out var decoder))
            return decoder;
        var name = syntax.Name == syntax.Uid ? syntax.Uid : $"{syntax.Name} ({syntax.Uid})";
        throw ImageException.Unsupported($"pixel data in the transfer syntax {name} cannot be decoded (video and other syntaxes are not supported)");
    }

    public static bool Supports(TransferSyntax syntax) => ByTransferSyntax.ContainsKey(syntax?.Uid ?? "");
}
