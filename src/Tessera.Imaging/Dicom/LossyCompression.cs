using System.Globalization;
using Tessera.Dicom;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// Which transfer syntaxes lose information, and the Lossy Image Compression Method term (PS3.3 C.7.6.1.1.5.1) of each.
/// Decoding such data does not undo the loss: the General Image module must keep saying so.
/// </summary>
public static class LossyCompression
{
    /// <summary>The method's defined term, or null for a lossless (or uncompressed) syntax.</summary>
    public static string? MethodOf(string transferSyntaxUid) => transferSyntaxUid switch
    {
        // JPEG XL recompression keeps a lossy JPEG's coefficients exactly: the loss is the JPEG's.
        "1.2.840.10008.1.2.4.50" or "1.2.840.10008.1.2.4.51" or "1.2.840.10008.1.2.4.111" => "ISO_10918_1",
        "1.2.840.10008.1.2.4.81" => "ISO_14495_1",
        "1.2.840.10008.1.2.4.91" or "1.2.840.10008.1.2.4.93" => "ISO_15444_1",
        "1.2.840.10008.1.2.4.203" => "ISO_15444_15",
        "1.2.840.10008.1.2.4.112" => "ISO_18181_1",
        _ => null,
    };

    /// <summary>
    /// Marks a dataset decoded from lossy compressed data as lossy (PS3.3 C.7.6.1.1.5): Lossy Image Compression "01",
    /// the method and the ratio added to those already recorded. A dataset that already says "01" is left as it is:
    /// it describes its own history.
    /// </summary>
    public static void Record(DicomDataset dataset, string transferSyntaxUid, long nativeBytes, long compressedBytes)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (MethodOf(transferSyntaxUid) is not { } method || dataset.GetString(DicomTags.LossyImageCompression)?.Trim() == "01")
            return;
        dataset.SetString(DicomTags.LossyImageCompression, DicomVr.CS, "01");
        dataset.SetString(DicomTags.LossyImageCompressionMethod, DicomVr.CS, string.Join('\\', [.. dataset.GetStrings(DicomTags.LossyImageCompressionMethod), method]));
        if (compressedBytes > 0)
        {
            var ratio = ((double)nativeBytes / compressedBytes).ToString("0.##", CultureInfo.InvariantCulture);
            dataset.SetString(DicomTags.LossyImageCompressionRatio, DicomVr.DS, string.Join('\\', [.. dataset.GetStrings(DicomTags.LossyImageCompressionRatio), ratio]));
        }
    }
}
