using Tessera.Dicom;

namespace Tessera.Server.DicomWeb;

/// <summary>The media types of PS3.18 (Table 8.7.3-2 and -3): DICOM objects, metadata, and frames by transfer syntax.</summary>
public static class DicomMediaTypes
{
    public const string Dicom = "application/dicom";
    public const string DicomJson = "application/dicom+json";
    public const string OctetStream = "application/octet-stream";

    /// <summary>The media type a frame of this transfer syntax is sent as: the codec's own, or octet-stream for native pixels.</summary>
    public static string OfFrames(TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        if (!syntax.Encapsulated || syntax == TransferSyntax.EncapsulatedUncompressedExplicitVrLittleEndian)
            return OctetStream;
        return syntax.Uid switch
        {
            "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.57" or "1.2.840.10008.1.2.4.70" => "image/jpeg",
            "1.2.840.10008.1.2.4.80" or "1.2.840.10008.1.2.4.81" => "image/jls",
            "1.2.840.10008.1.2.4.90" or "1.2.840.10008.1.2.4.91" => "image/jp2",
            "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93" => "image/jpx",
            "1.2.840.10008.1.2.4.201" or "1.2.840.10008.1.2.4.202" or "1.2.840.10008.1.2.4.203" => "image/jphc",
            "1.2.840.10008.1.2.4.110" or "1.2.840.10008.1.2.4.111" or "1.2.840.10008.1.2.4.112" => "image/jxl",
            "1.2.840.10008.1.2.5" => "image/dicom-rle",
            "1.2.840.10008.1.2.4.100" or "1.2.840.10008.1.2.4.100.1" or "1.2.840.10008.1.2.4.101" or "1.2.840.10008.1.2.4.101.1" => "video/mpeg",
            "1.2.840.10008.1.2.4.107" or "1.2.840.10008.1.2.4.108" => "video/H265",
            _ when syntax.Uid.StartsWith("1.2.840.10008.1.2.4.10", StringComparison.Ordinal) => "video/mp4",
            _ => OctetStream,
        };
    }

    /// <summary>
    /// The transfer syntax a media type stands for when a request names none (PS3.18 Tables 8.7.3-2, -4 and -5):
    /// Explicit VR Little Endian for DICOM objects and uncompressed bulk data, each codec's lossless default otherwise.
    /// </summary>
    public static string? DefaultSyntax(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        return mediaType.ToLowerInvariant() switch
        {
            Dicom or OctetStream => TransferSyntax.ExplicitVrLittleEndian.Uid,
            "image/jpeg" => TransferSyntax.JpegLosslessSv1.Uid,
            "image/dicom-rle" => TransferSyntax.Rle.Uid,
            "image/jls" => TransferSyntax.JpegLsLossless.Uid,
            "image/jp2" => TransferSyntax.Jpeg2000Lossless.Uid,
            "image/jpx" => TransferSyntax.Jpeg2000Part2Lossless.Uid,
            "image/jphc" => TransferSyntax.Htj2kLossless.Uid,
            "image/jxl" => TransferSyntax.JpegXlLossless.Uid,
            "video/mpeg" => TransferSyntax.Mpeg2Main.Uid,
            "video/mp4" => TransferSyntax.Mpeg4High.Uid,
            "video/h265" => TransferSyntax.Hevc.Uid,
            _ => null,
        };
    }

    /// <summary>Whether a bulk data media type is a codec's own (its parts are compressed as stored), not octet-stream.</summary>
    public static bool IsCompressed(string mediaType) =>
        mediaType.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || mediaType.StartsWith("video/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The transfer syntax named on a frame part: the stored one, or explicit VR little endian for native pixels.</summary>
    public static string FrameSyntaxUid(TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(syntax);
        return syntax.Encapsulated ? syntax.Uid : TransferSyntax.ExplicitVrLittleEndian.Uid;
    }
}
