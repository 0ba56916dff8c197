using System.Buffers.Binary;

namespace Tessera.Dicom;

/// <summary>A piece of a frame: bytes in memory, or a range left in the source.</summary>
public readonly record struct FrameSegment(ReadOnlyMemory<byte> Bytes, BulkDataReference? Bulk)
{
    public long Length => Bulk?.Length ?? Bytes.Length;
}

/// <summary>
/// Finds the frames of a dataset's Pixel Data without loading them: native pixel data is cut into
/// frames of Rows x Columns x Samples x BitsAllocated; encapsulated pixel data (PS3.5 A.4) is split
/// by the Extended Offset Table, else the Basic Offset Table, else one fragment per frame when the
/// counts agree, else by where each compressed frame starts.
/// </summary>
public static class PixelDataFrames
{
    /// <summary>The frames, each as the segments that make it up; an empty list when there is no pixel data.</summary>
    public static IReadOnlyList<IReadOnlyList<FrameSegment>> Locate(DicomDataset dataset, TransferSyntax syntax)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(syntax);
        var frames = (int)Math.Max(1, dataset.GetInteger(DicomTags.NumberOfFrames) ?? 1);
        return dataset[DicomTags.PixelData] switch
        {
            DicomFragments fragments => Encapsulated(dataset, fragments, frames, syntax),
            DicomValueElement value => Native(dataset, value, frames),
            _ => [],
        };
    }

    /// <summary>
    /// Why the frames the dataset declares (Number of Frames) cannot all be in its Pixel Data, or null when they can:
    /// native data must hold that many frames of Rows × Columns × Samples × Bits Allocated, encapsulated data at least
    /// one fragment per frame. Nothing is read or allocated: for checking a file before it is indexed.
    /// </summary>
    public static string? CheckFrameCount(DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var frames = dataset.GetInteger(DicomTags.NumberOfFrames) ?? 1;
        if (frames < 0)
            return $"Number of Frames is {frames}";
        if (frames <= 1)
            return null;
        try
        {
            return dataset[DicomTags.PixelData] switch
            {
                DicomFragments fragments when frames > Math.Max(1, fragments.Fragments.Count) =>
                    $"Number of Frames ({frames}) is more than the pixel data's {fragments.Fragments.Count} fragments can hold",
                // In bits: frames of bit-packed data need not start on byte boundaries to be all there.
                DicomValueElement value when frames > value.Length * 8 / FrameBits(dataset) =>
                    $"Number of Frames ({frames}) is more than the pixel data's {value.Length} bytes can hold",
                _ => null,
            };
        }
        catch (DicomException e)
        {
            return e.Message;
        }
    }

    /// <summary>Bits of one native frame, from attributes checked against what DICOM allows (PS3.3 C.7.6.3).</summary>
    private static long FrameBits(DicomDataset dataset)
    {
        var rows = dataset.GetInteger(DicomTags.Rows) ?? 0;
        var columns = dataset.GetInteger(DicomTags.Columns) ?? 0;
        var samples = dataset.GetInteger(DicomTags.SamplesPerPixel) ?? 1;
        var bits = dataset.GetInteger(DicomTags.BitsAllocated) ?? 0;
        if (rows is < 1 or > ushort.MaxValue || columns is < 1 or > ushort.MaxValue || samples is < 1 or > 4 || bits is < 1 or > 64)
        {
            throw new DicomException(
                $"the pixel data's frame size is unknown or out of range (Rows {rows}, Columns {columns}, Samples per Pixel {samples}, Bits Allocated {bits})");
        }
        // YBR_FULL_422 stores two samples a pixel: each pair of pixels shares one Cb and one Cr (PS3.3 C.7.6.3.1.2).
        var stored = samples == 3 && dataset.GetString(DicomTags.PhotometricInterpretation)?.Trim() == "YBR_FULL_422" ? 2 : samples;
        // At most 65535² × 4 × 64 bits: no overflow.
        return rows * columns * stored * bits;
    }

    private static List<IReadOnlyList<FrameSegment>> Native(DicomDataset dataset, DicomValueElement value, int frames)
    {
        var frameBits = FrameBits(dataset);
        if (frameBits % 8 != 0 && frames > 1)
            throw new DicomException("the frames of this bit-packed pixel data do not start on byte boundaries");
        var frameSize = (frameBits + 7) / 8;
        // Divided, not multiplied: a declared count times a frame size can overflow.
        if (frames > value.Length / frameSize)
        {
            throw new DicomException(
                $"the pixel data holds {value.Length} bytes, fewer than {frames} frame(s) of {frameSize} bytes");
        }
        var result = new List<IReadOnlyList<FrameSegment>>(frames);
        for (var i = 0; i < frames; i++)
        {
            var offset = i * frameSize;
            var segment = value.Bulk is { } bulk
                ? new FrameSegment(default, bulk with { Offset = bulk.Offset + offset, Length = frameSize })
                : new FrameSegment(value.Bytes.Slice((int)offset, (int)frameSize), null);
            result.Add([segment]);
        }
        return result;
    }

    private static List<IReadOnlyList<FrameSegment>> Encapsulated(DicomDataset dataset, DicomFragments pixels, int frames, TransferSyntax syntax)
    {
        var fragments = pixels.Fragments;
        if (fragments.Count == 0)
            return [];
        if (frames == 1)
            return [fragments.Select(Segment).ToList()];
        // Every frame has at least one fragment: a larger declared count is refused before anything is sized by it.
        if (frames > fragments.Count)
            throw new DicomException($"Number of Frames ({frames}) is more than the pixel data's {fragments.Count} fragments can hold");
        var starts = ExtendedOffsets(dataset) ?? (pixels.OffsetTable.Length > 0 ? pixels.Offsets().Select(o => (ulong)o).ToList() : null);
        if (starts is not null && starts.Count == frames)
            return ByOffsets(fragments, starts);
        if (fragments.Count == frames)
            return fragments.Select(f => (IReadOnlyList<FrameSegment>)[Segment(f)]).ToList();
        return ByStartMarkers(fragments, frames, syntax);
    }

    /// <summary>Frames by offset table: each offset is from the first fragment's item tag, and each item adds 8 bytes of header.</summary>
    private static List<IReadOnlyList<FrameSegment>> ByOffsets(List<DicomFragment> fragments, List<ulong> starts)
    {
        var result = new List<IReadOnlyList<FrameSegment>>(starts.Count);
        var position = 0UL;
        var index = 0;
        for (var frame = 0; frame < starts.Count; frame++)
        {
            if (position != starts[frame])
                throw new DicomException($"the offset table puts frame {frame + 1} at byte {starts[frame]}, which is not where a fragment starts");
            var end = frame + 1 < starts.Count ? starts[frame + 1] : ulong.MaxValue;
            var segments = new List<FrameSegment>();
            while (index < fragments.Count && position < end)
            {
                segments.Add(Segment(fragments[index]));
                position += 8 + (ulong)fragments[index].Length;
                index++;
            }
            if (segments.Count == 0)
                throw new DicomException($"frame {frame + 1} has no fragments");
            result.Add(segments);
        }
        return result;
    }

    /// <summary>Without a usable offset table, a frame begins at each fragment that starts with the codec's start-of-image marker.</summary>
    private static List<IReadOnlyList<FrameSegment>> ByStartMarkers(List<DicomFragment> fragments, int frames, TransferSyntax syntax)
    {
        var result = new List<IReadOnlyList<FrameSegment>>(Math.Min(frames, fragments.Count));
        List<FrameSegment>? current = null;
        foreach (var fragment in fragments)
        {
            if (current is null || StartsFrame(fragment, syntax))
            {
                current = [];
                result.Add(current);
            }
            current.Add(Segment(fragment));
        }
        if (result.Count != frames)
        {
            throw new DicomException(
                $"the pixel data's {fragments.Count} fragments could not be grouped into its {frames} frames (no offset table, and frame starts are not recognisable)");
        }
        return result;
    }

    private static bool StartsFrame(DicomFragment fragment, TransferSyntax syntax)
    {
        Span<byte> head = stackalloc byte[12];
        var n = ReadHead(fragment, head);
        var bytes = head[..n];
        if (syntax.Uid.StartsWith("1.2.840.10008.1.2.4.5", StringComparison.Ordinal)
            || syntax.Uid.StartsWith("1.2.840.10008.1.2.4.7", StringComparison.Ordinal)
            || syntax.Uid.StartsWith("1.2.840.10008.1.2.4.8", StringComparison.Ordinal))
            return bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8]);
        if (syntax.Uid.StartsWith("1.2.840.10008.1.2.4.9", StringComparison.Ordinal)
            || syntax.Uid.StartsWith("1.2.840.10008.1.2.4.20", StringComparison.Ordinal))
            return bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]) || bytes.Length >= 8 && bytes[4..8].SequenceEqual("jP  "u8);
        if (syntax.Uid.StartsWith("1.2.840.10008.1.2.4.11", StringComparison.Ordinal))
            return bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x0A]) || bytes.Length >= 8 && bytes[4..8].SequenceEqual("JXL "u8);
        return true;
    }

    private static int ReadHead(DicomFragment fragment, Span<byte> head)
    {
        if (fragment.Bulk is not { } bulk)
        {
            var bytes = fragment.Bytes.Span;
            var n = Math.Min(bytes.Length, head.Length);
            bytes[..n].CopyTo(head);
            return n;
        }
        using var stream = bulk.Source.Open();
        stream.Seek(bulk.Offset, SeekOrigin.Begin);
        return stream.ReadAtLeast(head[..(int)Math.Min(head.Length, bulk.Length)], (int)Math.Min(head.Length, bulk.Length), throwOnEndOfStream: false);
    }

    private static List<ulong>? ExtendedOffsets(DicomDataset dataset)
    {
        if (dataset[DicomTags.ExtendedOffsetTable] is not DicomValueElement table || table.Length == 0)
            return null;
        var bytes = table.Bytes.Span;
        var offsets = new List<ulong>(bytes.Length / 8);
        for (var i = 0; i + 8 <= bytes.Length; i += 8)
            offsets.Add(BinaryPrimitives.ReadUInt64LittleEndian(bytes[i..]));
        return offsets;
    }

    private static FrameSegment Segment(DicomFragment fragment) =>
        fragment.Bulk is { } bulk ? new FrameSegment(default, bulk) : new FrameSegment(fragment.Bytes, null);
}
