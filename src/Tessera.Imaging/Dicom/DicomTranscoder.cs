using Tessera.Dicom;
using Tessera.Dicom.IO;
using Tessera.Imaging;
using Tessera.Imaging.Codecs;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// Re-encodes stored instances in Explicit VR Little Endian (PS3.5 A.2) for clients that ask for uncompressed data,
/// and turns single frames into native pixels. Encapsulated pixel data is decoded frame by frame by the codecs of
/// <see cref="FrameDecoders"/>, each decode in a slot of <see cref="DecodeLimiter"/> and within
/// the decode limits (Imaging:MaxDecodedPixels); a frame is written before the next is decoded, so one decoded frame
/// is all a request holds. The Image Pixel module is made to describe what was written (<see cref="NativePixels"/>),
/// a lossy source stays marked lossy (<see cref="LossyCompression"/>), the Extended Offset Table and group lengths
/// go, an Icon Image Sequence is decoded too, and the meta information names the new syntax and this implementation.
/// Objects without encapsulated pixel data (implicit VR, big endian, deflated, an SR) are re-encoded as they are.
/// </summary>
public sealed class DicomTranscoder(DecodeLimiter limiter, DecodeLimits limits)
{
    /// <summary>Icons are thumbnails (PS3.3 F.7: at most 128 × 128); a larger one is dropped rather than decoded.</summary>
    private const long MaxIconPixels = 256 * 256;

    private static readonly TransferSyntax Target = TransferSyntax.ExplicitVrLittleEndian;

    public DecodeLimits Limits { get; } = limits;

    /// <summary>
    /// Gets an instance ready to write: reads its Image Pixel module, checks that every frame it declares is there and
    /// that the result fits one value, and decodes its first frame (and icon), so that what cannot be decoded is
    /// refused (<see cref="ImageException"/>) before anything of it is sent.
    /// </summary>
    public async Task<TranscodedInstance> PrepareAsync(DicomFile file, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        var pixelData = file.Dataset[DicomTags.PixelData];
        // Big-endian samples wider than OW's 16-bit words are not put right by swapping words: they are decoded too.
        var wideBigEndian = pixelData is DicomValueElement && file.Syntax.BigEndian && (file.Dataset.GetInteger(DicomTags.BitsAllocated) ?? 0) > 16;
        if (pixelData is not DicomFragments && !wideBigEndian)
            return new TranscodedInstance(file, null, null, null, null);
        var pixels = DicomPixelData.Open(file, Limits);
        var (first, icon) = await limiter.RunAsync(() =>
        {
            if (pixels.LocatedFrames < pixels.FrameCount)
                throw ImageException.Malformed($"the pixel data holds {pixels.LocatedFrames} frame(s), fewer than the {pixels.FrameCount} the file declares");
            return (pixels.DecodeFrame(0), Icon(file));
        }, ct);
        var native = NativePixels.Of(pixels.Layout, first.Layout, pixels.FrameCount);
        if (native.PixelDataLength > NativePixels.MaxLength)
        {
            throw ImageException.Unsupported(
                $"its {pixels.FrameCount} frame(s) would take {native.PixelDataLength} bytes uncompressed, more than one value of Explicit VR Little Endian holds (4 GiB)");
        }
        var compressed = pixelData is DicomFragments fragments ? fragments.Fragments.Sum(f => f.Length) : 0;
        return new TranscodedInstance(file, pixels, first, native, icon) { CompressedBytes = compressed };
    }

    /// <summary>Writes a prepared instance as a Part 10 file in Explicit VR Little Endian.</summary>
    public async Task WriteAsync(TranscodedInstance instance, Stream output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(instance);
        ArgumentNullException.ThrowIfNull(output);
        var file = instance.File;
        var meta = Meta(file.Meta);
        if (instance.Pixels is not { } pixels || instance.Native is not { } native || instance.First is not { } first)
        {
            var whole = Reencoded(file.Dataset);
            await PipedWriter.WriteAsync(s => DicomWriter.WriteFile(s, whole, Target, meta), output, ct);
            return;
        }
        var head = Reencoded(file.Dataset.Where(e => e.Tag < DicomTags.PixelData
            && e.Tag != DicomTags.ExtendedOffsetTable && e.Tag != DicomTags.ExtendedOffsetTableLengths));
        var tail = Reencoded(file.Dataset.Where(e => e.Tag > DicomTags.PixelData));
        native.Describe(head);
        LossyCompression.Record(head, pixels.Syntax.Uid, native.PixelDataLength, instance.CompressedBytes);
        head.Remove(DicomTags.IconImageSequence);
        if (instance.Icon is { } icon)
            head.Set(new DicomSequence(DicomTags.IconImageSequence, [icon]));
        await PipedWriter.WriteAsync(s => DicomWriter.WriteFile(s, head, Target, meta), output, ct);

        await output.WriteAsync(DicomWriter.ElementHeader(DicomTags.PixelData, native.Vr, (uint)native.PixelDataLength, Target), ct);
        var packer = native.BitsAllocated == 1 ? new BitPacker() : null;
        long written = 0;
        for (var i = 0; i < pixels.FrameCount; i++)
        {
            var index = i;
            var frame = i == 0 ? first : await limiter.RunAsync(() => pixels.DecodeFrame(index), ct);
            native.Check(frame, i);
            var bytes = packer?.Pack(frame.Data) ?? frame.Data;
            await output.WriteAsync(bytes, ct);
            written += bytes.Length;
        }
        if (packer?.Flush() is { Length: > 0 } last)
        {
            await output.WriteAsync(last, ct);
            written += last.Length;
        }
        if (written < native.PixelDataLength)
            await output.WriteAsync(new byte[native.PixelDataLength - written], ct);
        if (tail.Count > 0)
            await PipedWriter.WriteAsync(s => DicomWriter.WriteDataset(s, tail, Target), output, ct);
    }

    /// <summary>One frame (0-based) of an instance as native pixels, decoded in a slot (<see cref="NativePixels.Bytes"/>).</summary>
    public async Task<(byte[] Bytes, NativePixels Form)> FrameAsync(DicomPixelData pixels, int index, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var frame = await limiter.RunAsync(() => pixels.DecodeFrame(index), ct);
        var native = NativePixels.Of(pixels.Layout, frame.Layout, 1);
        native.Check(frame, index);
        return (native.Bytes(frame), native);
    }

    /// <summary>The meta information to keep: everything but what names the writer and the syntax, which are set anew.</summary>
    private static DicomDataset Meta(DicomDataset meta) => new(meta.Where(e => e.Tag != DicomTags.ImplementationClassUid
        && e.Tag != DicomTags.ImplementationVersionName && e.Tag != DicomTags.TransferSyntaxUid));

    /// <summary>
    /// The elements to write: group lengths (retired, and wrong once anything changes) left out; encapsulated pixel
    /// data nested in items (only icons may hold it, and those are replaced) removed so nothing encapsulated is written.
    /// </summary>
    private static DicomDataset Reencoded(IEnumerable<DicomElement> elements)
    {
        var dataset = new DicomDataset(elements.Where(e => e.Tag.Element != 0x0000));
        foreach (var sequence in dataset.OfType<DicomSequence>())
        {
            if (sequence.Tag != DicomTags.IconImageSequence)
                RemoveFragments(sequence, depth: 0);
        }
        return dataset;
    }

    private static void RemoveFragments(DicomSequence sequence, int depth)
    {
        foreach (var item in sequence.Items)
        {
            item.RemoveAll(e => e is DicomFragments);
            // The reader refuses nesting past 64 levels; this only walks what it read.
            if (depth < 64)
            {
                foreach (var nested in item.OfType<DicomSequence>())
                    RemoveFragments(nested, depth + 1);
            }
        }
    }

    /// <summary>The first icon decoded to native pixels, or null when there is none or it cannot be (an icon is optional: it is then left out).</summary>
    private static DicomDataset? Icon(DicomFile file)
    {
        if (file.Dataset.GetSequence(DicomTags.IconImageSequence) is not { Items.Count: > 0 } icons)
            return null;
        var item = icons.Items[0];
        if (item[DicomTags.PixelData] is not DicomFragments)
            return item;
        try
        {
            var pixels = DicomPixelData.Open(new DicomFile(new DicomDataset(), item, file.Syntax), new DecodeLimits { MaxPixels = MaxIconPixels });
            var frame = pixels.DecodeFrame(0);
            var native = NativePixels.Of(pixels.Layout, frame.Layout, 1);
            native.Check(frame, 0);
            var bytes = native.Bytes(frame);
            var icon = new DicomDataset(item.Where(e => e.Tag != DicomTags.PixelData && e is not DicomSequence && e.Tag.Element != 0x0000));
            native.Describe(icon);
            icon.Set(new DicomValueElement(DicomTags.PixelData, native.Vr, DicomDataset.Pad(bytes, DicomVr.OB)));
            return icon;
        }
        catch (ImageException)
        {
            return null;
        }
    }
}

/// <summary>An instance read and checked for <see cref="DicomTranscoder.WriteAsync"/>; without pixels when it has no encapsulated pixel data.</summary>
public sealed record TranscodedInstance(DicomFile File, DicomPixelData? Pixels, PixelFrame? First, NativePixels? Native, DicomDataset? Icon)
{
    /// <summary>The stored pixel data's size, for the lossy compression ratio.</summary>
    public long CompressedBytes { get; init; }
}
