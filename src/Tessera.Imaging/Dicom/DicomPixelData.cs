using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// The pixels of one DICOM instance: its layout, its frames (each decoded alone, reading only that frame's bytes
/// from the blob), and what the file says about showing them.
/// </summary>
public sealed class DicomPixelData
{
    private readonly DicomDataset _dataset;
    private readonly TransferSyntax _syntax;
    private readonly DicomElement _pixels;
    private readonly DecodeLimits _limits;
    private IReadOnlyList<IReadOnlyList<FrameSegment>>? _frames;

    private DicomPixelData(DicomDataset dataset, TransferSyntax syntax, DicomElement pixels, PixelLayout layout, int frameCount, DecodeLimits limits)
    {
        (_dataset, _syntax, _pixels, Layout, FrameCount, _limits) = (dataset, syntax, pixels, layout, frameCount, limits);
    }

    /// <summary>The stored layout (before decoding: possibly planar, bit-packed or subsampled).</summary>
    public PixelLayout Layout { get; }

    public int FrameCount { get; }

    public string TransferSyntaxUid => _syntax.Uid;

    /// <summary>Pixel Spacing (row, column) in millimetres, from the top level or the shared functional groups.</summary>
    public (double Row, double Column)? PixelSpacing
    {
        get
        {
            var shared = _dataset.GetSequence(DicomTags.SharedFunctionalGroupsSequence) is { Items.Count: > 0 } groups
                ? groups.Items[0].GetSequence(DicomTags.PixelMeasuresSequence) is { Items.Count: > 0 } measures ? measures.Items[0] : null
                : null;
            var values = (shared ?? _dataset).GetStrings(DicomTags.PixelSpacing);
            if (values.Length < 2)
                values = _dataset.GetStrings(DicomTags.ImagerPixelSpacing);
            return values.Length >= 2
                && double.TryParse(values[0], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var row)
                && double.TryParse(values[1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var column)
                && row > 0 && column > 0
                ? (row, column)
                : null;
        }
    }

    /// <summary>Reads the Image Pixel module; throws <see cref="ImageException"/> when there is nothing to decode.</summary>
    /// <param name="limits">What decoding one frame may allocate (Imaging:MaxDecodedPixels); the default when null.</param>
    public static DicomPixelData Open(DicomFile file, DecodeLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        var dataset = file.Dataset;
        var pixels = dataset[DicomTags.PixelData] ?? dataset[DicomTags.FloatPixelData] ?? dataset[DicomTags.DoubleFloatPixelData]
            ?? throw ImageException.Unsupported("the instance has no pixel data");
        FrameDecoders.For(file.Syntax);
        var bits = Integer(dataset, DicomTags.BitsAllocated) ?? (pixels.Tag == DicomTags.DoubleFloatPixelData ? 64 : pixels.Tag == DicomTags.FloatPixelData ? 32 : 0);
        var stored = Integer(dataset, DicomTags.BitsStored) ?? bits;
        var layout = new PixelLayout
        {
            Rows = Integer(dataset, DicomTags.Rows) ?? 0,
            Columns = Integer(dataset, DicomTags.Columns) ?? 0,
            SamplesPerPixel = Integer(dataset, DicomTags.SamplesPerPixel) ?? 1,
            BitsAllocated = bits,
            BitsStored = stored,
            HighBit = Integer(dataset, DicomTags.HighBit) is { } high && high < bits ? high : stored - 1,
            IsSigned = Integer(dataset, DicomTags.PixelRepresentation) == 1,
            Planar = Integer(dataset, DicomTags.PlanarConfiguration) == 1,
            IsFloat = pixels.Tag != DicomTags.PixelData,
            Photometric = PhotometricNames.Parse(dataset.GetString(DicomTags.PhotometricInterpretation)),
        };
        layout.Validate();
        // A declared count the pixel data cannot hold (a file stored before import checked it) sizes nothing.
        if (PixelDataFrames.CheckFrameCount(dataset) is { } inconsistent)
            throw ImageException.Malformed($"the pixel data is inconsistent: {inconsistent}");
        var frames = (int)Math.Max(1, dataset.GetInteger(DicomTags.NumberOfFrames) ?? 1);
        return new DicomPixelData(dataset, file.Syntax, pixels, layout, frames, limits ?? DecodeLimits.Default);
    }

    /// <summary>Decodes frame <paramref name="index"/> (0-based) and no other.</summary>
    public PixelFrame DecodeFrame(int index)
    {
        if (index < 0 || index >= FrameCount)
            throw new ArgumentOutOfRangeException(nameof(index), $"frame {index + 1} does not exist; the instance has {FrameCount}");
        // Refused before the frame's bytes are read, and again by each decoder before it allocates.
        _limits.CheckFrame(Layout);
        if (_pixels is DicomValueElement native && (Layout.BitsAllocated == 1 || Layout.IsFloat))
            return DecodeNativeSlice(native, index);
        _frames ??= Locate();
        if (index >= _frames.Count)
            throw ImageException.Malformed($"the pixel data holds {_frames.Count} frame(s), fewer than the {FrameCount} the file declares");
        var bytes = Read(_frames[index]);
        if (_syntax.BigEndian && !_syntax.Encapsulated)
            FixBigEndianWords(bytes, Layout.BitsAllocated);
        return FrameDecoders.For(_syntax).Decode(bytes, Layout, _limits);
    }

    /// <summary>A frame's bytes as stored (for a JPEG frame, a complete JPEG stream), without decoding.</summary>
    public byte[] EncodedFrame(int index)
    {
        _frames ??= Locate();
        if (index < 0 || index >= _frames.Count)
            throw ImageException.Malformed($"frame {index + 1} is not in the pixel data ({_frames.Count} frames)");
        return Read(_frames[index]);
    }

    /// <summary>
    /// How many frames the pixel data holds, located without decoding (offset tables, fragments); a file may declare
    /// more (Number of Frames) than it holds. Throws <see cref="ImageException"/> when they cannot be located.
    /// </summary>
    public int LocatedFrames => _pixels is DicomValueElement && (Layout.BitsAllocated == 1 || Layout.IsFloat)
        ? FrameCount
        : (_frames ??= Locate()).Count;

    /// <summary>The syntax the pixels are stored in.</summary>
    public TransferSyntax Syntax => _syntax;

    /// <summary>The dataset the pixels belong to.</summary>
    public DicomDataset Dataset => _dataset;

    /// <summary>The display settings for a frame: enhanced objects carry them per frame in functional groups.</summary>
    public DisplaySettings Display(int index = 0) => DicomDisplaySettings.Read(_dataset, index, Layout);

    private IReadOnlyList<IReadOnlyList<FrameSegment>> Locate()
    {
        try
        {
            return PixelDataFrames.Locate(_dataset, _syntax);
        }
        catch (DicomException e)
        {
            throw new ImageException(ImageErrorKind.Malformed, e.Reason, e);
        }
    }

    /// <summary>1-bit frames need not start on a byte, and float pixel data has its own tags: both are cut here.</summary>
    private PixelFrame DecodeNativeSlice(DicomValueElement value, int index)
    {
        var frameBits = (long)Layout.Pixels * Layout.SamplesPerPixel * Math.Max(1, Layout.BitsAllocated);
        var firstBit = frameBits * index;
        var start = firstBit / 8;
        var length = (firstBit + frameBits + 7) / 8 - start;
        if (start + length > value.Length)
            throw ImageException.Malformed($"the pixel data holds {value.Length} bytes, too few for frame {index + 1} of {FrameCount}");
        byte[] bytes;
        if (value.Bulk is { } bulk)
        {
            bytes = (bulk with { Offset = bulk.Offset + start, Length = length }).ReadAll();
        }
        else
        {
            bytes = value.Bytes.Slice((int)start, (int)length).ToArray();
        }
        if (_syntax.BigEndian)
            FixBigEndianWords(bytes, Layout.BitsAllocated, DicomVrInfo.WordSize(value.Vr));
        return NativeDecoder.DecodeAt(bytes, (int)(firstBit % 8), Layout, _limits);
    }

    private static byte[] Read(IReadOnlyList<FrameSegment> segments)
    {
        var total = segments.Sum(s => s.Length);
        if (total > int.MaxValue - 64)
            throw ImageException.Unsupported($"a frame of {total} bytes is too large to decode at once");
        var output = new byte[total];
        var at = 0;
        foreach (var segment in segments)
        {
            if (segment.Bulk is { } bulk)
            {
                bulk.ReadAll().CopyTo(output, at);
            }
            else
            {
                segment.Bytes.Span.CopyTo(output.AsSpan(at));
            }
            at += (int)segment.Length;
        }
        return output;
    }

    /// <summary>
    /// The reader swapped big-endian values by their VR's word size (2 for OW); samples wider than that word were
    /// stored as one big-endian number, so their words are put in little-endian order here.
    /// </summary>
    private static void FixBigEndianWords(byte[] bytes, int bitsAllocated, int wordSize = 2)
    {
        var sampleSize = bitsAllocated / 8;
        if (sampleSize <= wordSize || wordSize < 1)
            return;
        BulkDataReference.Swap(bytes, wordSize);
        BulkDataReference.Swap(bytes.AsSpan(0, bytes.Length / sampleSize * sampleSize), sampleSize);
    }

    private static int? Integer(DicomDataset dataset, DicomTag tag) => dataset.GetInteger(tag) is { } v ? (int)v : null;
}
