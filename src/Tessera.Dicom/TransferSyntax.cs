using System.Collections.Frozen;

namespace Tessera.Dicom;

/// <summary>A transfer syntax (PS3.5 10, Annex A): how a dataset after the file meta information is encoded.</summary>
public sealed record TransferSyntax(string Uid, string Name, bool ExplicitVr, bool BigEndian, bool Deflated, bool Encapsulated)
{
    public static readonly TransferSyntax ImplicitVrLittleEndian = new("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false, false);
    public static readonly TransferSyntax ExplicitVrLittleEndian = new("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false, false);
    public static readonly TransferSyntax EncapsulatedUncompressedExplicitVrLittleEndian = Compressed("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian");
    public static readonly TransferSyntax DeflatedExplicitVrLittleEndian = new("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true, false);
    public static readonly TransferSyntax ExplicitVrBigEndian = new("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false, false);
    public static readonly TransferSyntax JpegBaseline = Compressed("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)");
    public static readonly TransferSyntax JpegExtended = Compressed("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)");
    public static readonly TransferSyntax JpegLossless = Compressed("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)");
    public static readonly TransferSyntax JpegLosslessSv1 = Compressed("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])");
    public static readonly TransferSyntax JpegLsLossless = Compressed("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression");
    public static readonly TransferSyntax JpegLsNearLossless = Compressed("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression");
    public static readonly TransferSyntax Jpeg2000Lossless = Compressed("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)");
    public static readonly TransferSyntax Jpeg2000 = Compressed("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression");
    public static readonly TransferSyntax Jpeg2000Part2Lossless = Compressed("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)");
    public static readonly TransferSyntax Jpeg2000Part2 = Compressed("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression");
    public static readonly TransferSyntax Jpip = Compressed("1.2.840.10008.1.2.4.94", "JPIP Referenced");
    public static readonly TransferSyntax JpipDeflate = new("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", true, false, true, false);
    public static readonly TransferSyntax Mpeg2Main = Compressed("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level");
    public static readonly TransferSyntax Mpeg2MainFragmentable = Compressed("1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level");
    public static readonly TransferSyntax Mpeg2High = Compressed("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level");
    public static readonly TransferSyntax Mpeg2HighFragmentable = Compressed("1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level");
    public static readonly TransferSyntax Mpeg4High = Compressed("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1");
    public static readonly TransferSyntax Mpeg4HighFragmentable = Compressed("1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1");
    public static readonly TransferSyntax Mpeg4BdCompatible = Compressed("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1");
    public static readonly TransferSyntax Mpeg4BdCompatibleFragmentable = Compressed("1.2.840.10008.1.2.4.103.1", "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1");
    public static readonly TransferSyntax Mpeg4High2D = Compressed("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video");
    public static readonly TransferSyntax Mpeg4High3D = Compressed("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video");
    public static readonly TransferSyntax Mpeg4Stereo = Compressed("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2");
    public static readonly TransferSyntax Hevc = Compressed("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1");
    public static readonly TransferSyntax Hevc10 = Compressed("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1");
    public static readonly TransferSyntax JpegXlLossless = Compressed("1.2.840.10008.1.2.4.110", "JPEG XL Lossless");
    public static readonly TransferSyntax JpegXlRecompression = Compressed("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression");
    public static readonly TransferSyntax JpegXl = Compressed("1.2.840.10008.1.2.4.112", "JPEG XL");
    public static readonly TransferSyntax Htj2kLossless = Compressed("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)");
    public static readonly TransferSyntax Htj2kLosslessRpcl = Compressed("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)");
    public static readonly TransferSyntax Htj2k = Compressed("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression");
    public static readonly TransferSyntax Rle = Compressed("1.2.840.10008.1.2.5", "RLE Lossless");
    public static readonly TransferSyntax DeflatedImageFrame = Compressed("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression");
    public static readonly TransferSyntax Smpte2110Uncompressed = new("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video", true, false, false, false);

    private static readonly FrozenDictionary<string, TransferSyntax> s_known = new[]
    {
        ImplicitVrLittleEndian, ExplicitVrLittleEndian, EncapsulatedUncompressedExplicitVrLittleEndian,
        DeflatedExplicitVrLittleEndian, ExplicitVrBigEndian, JpegBaseline, JpegExtended, JpegLossless, JpegLosslessSv1,
        JpegLsLossless, JpegLsNearLossless, Jpeg2000Lossless, Jpeg2000, Jpeg2000Part2Lossless, Jpeg2000Part2, Jpip,
        JpipDeflate, Mpeg2Main, Mpeg2MainFragmentable, Mpeg2High, Mpeg2HighFragmentable, Mpeg4High, Mpeg4HighFragmentable,
        Mpeg4BdCompatible, Mpeg4BdCompatibleFragmentable, Mpeg4High2D, Mpeg4High3D, Mpeg4Stereo, Hevc, Hevc10,
        JpegXlLossless, JpegXlRecompression, JpegXl, Htj2kLossless, Htj2kLosslessRpcl, Htj2k, Rle, DeflatedImageFrame,
        Smpte2110Uncompressed,
    }.ToFrozenDictionary(t => t.Uid, StringComparer.Ordinal);

    public static IEnumerable<TransferSyntax> Known => s_known.Values;

    /// <summary>The syntax of a UID. Unknown UIDs are taken as explicit VR little endian with encapsulated pixel data, as every syntax after the first three is (PS3.5 10.1).</summary>
    public static TransferSyntax Lookup(string uid)
    {
        uid = uid.TrimEnd('\0', ' ');
        return s_known.TryGetValue(uid, out var known) ? known : new TransferSyntax(uid, uid, true, false, false, true);
    }

    public static bool IsKnownUid(string uid) => s_known.ContainsKey(uid.TrimEnd('\0', ' '));

    public override string ToString() => Name;

    private static TransferSyntax Compressed(string uid, string name) => new(uid, name, true, false, false, true);
}
