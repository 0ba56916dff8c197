using System.Buffers.Binary;
using System.Globalization;
using Tessera.Dicom;
using Tessera.Imaging;
using Tessera.Imaging.Display;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Dicom;

/// <summary>
/// Reads the modality, VOI and palette attributes of an instance (PS3.3 C.11) into <see cref="DisplaySettings"/>,
/// looking first in the frame's own functional groups, then the shared ones, then the top level.
/// </summary>
internal static class DicomDisplaySettings
{
    public static DisplaySettings Read(DicomDataset dataset, int frame, PixelLayout layout)
    {
        var perFrame = dataset.GetSequence(DicomTags.PerFrameFunctionalGroupsSequence)?.Items.ElementAtOrDefault(frame);
        var shared = First(dataset.GetSequence(DicomTags.SharedFunctionalGroupsSequence));
        var transform = Group(perFrame, shared, DicomTags.PixelValueTransformationSequence) ?? dataset;
        var voi = Group(perFrame, shared, DicomTags.FrameVoilutSequence) ?? dataset;
        var slope = Numbers(transform, DicomTags.RescaleSlope).FirstOrDefault(1);
        return new DisplaySettings
        {
            RescaleSlope = slope == 0 ? 1 : slope,
            RescaleIntercept = Numbers(transform, DicomTags.RescaleIntercept).FirstOrDefault(0),
            ModalityLut = dataset.GetSequence(DicomTags.ModalityLutSequence)?.Items.Select(i => ReadLut(i, layout)).FirstOrDefault(l => l is not null),
            Windows = Windows(voi),
            VoiLuts = dataset.GetSequence(DicomTags.VoilutSequence)?.Items.Select(i => ReadLut(i, layout)).OfType<Lut>().ToList() ?? [],
            Palette = layout.Photometric == Photometric.PaletteColor ? Palette(dataset) : null,
        };
    }

    private static DicomDataset? Group(DicomDataset? perFrame, DicomDataset? shared, DicomTag sequence) =>
        First(perFrame?.GetSequence(sequence)) ?? First(shared?.GetSequence(sequence));

    private static DicomDataset? First(DicomSequence? sequence) => sequence is { Items.Count: > 0 } ? sequence.Items[0] : null;

    private static List<Window> Windows(DicomDataset dataset)
    {
        var centers = Numbers(dataset, DicomTags.WindowCenter);
        var widths = Numbers(dataset, DicomTags.WindowWidth);
        var function = Window.ParseFunction(dataset.GetString(DicomTags.VoilutFunction));
        return centers.Zip(widths, (c, w) => new Window(c, w, function)).Where(w => w.Width > 0).ToList();
    }

    private static double[] Numbers(DicomDataset dataset, DicomTag tag) =>
        dataset.GetStrings(tag)
            .Select(s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : double.NaN)
            .Where(v => !double.IsNaN(v))
            .ToArray();

    /// <summary>A LUT item: LUT Descriptor (entries, first mapped, bits) and LUT Data.</summary>
    private static Lut? ReadLut(DicomDataset item, PixelLayout layout)
    {
        if (item[DicomTags.LutDescriptor] is not DicomValueElement descriptor || item[DicomTags.LutData] is not DicomValueElement data)
            return null;
        return ReadTable(descriptor, data, layout.IsSigned);
    }

    private static PaletteLut Palette(DicomDataset dataset)
    {
        if (dataset.Contains(DicomTags.SegmentedRedPaletteColorLookupTableData))
            throw ImageException.Unsupported("segmented palette colour lookup tables are not supported");
        Lut Channel(DicomTag descriptorTag, DicomTag dataTag, string name) =>
            dataset[descriptorTag] is DicomValueElement descriptor && dataset[dataTag] is DicomValueElement data
                ? ReadTable(descriptor, data, signed: false)
                : throw ImageException.Malformed($"the PALETTE COLOR image has no {name} palette table");
        return new PaletteLut(
            Channel(DicomTags.RedPaletteColorLookupTableDescriptor, DicomTags.RedPaletteColorLookupTableData, "red"),
            Channel(DicomTags.GreenPaletteColorLookupTableDescriptor, DicomTags.GreenPaletteColorLookupTableData, "green"),
            Channel(DicomTags.BluePaletteColorLookupTableDescriptor, DicomTags.BluePaletteColorLookupTableData, "blue"));
    }

    /// <summary>
    /// A descriptor's first value is the entry count (0 meaning 65536), its second the first mapped value (signed
    /// when the pixels are), its third the bits per entry. Data of 8-bit entries may be packed a byte an entry or
    /// given a 16-bit word each; both are read.
    /// </summary>
    private static Lut ReadTable(DicomValueElement descriptor, DicomValueElement data, bool signed)
    {
        var d = descriptor.Bytes.Span;
        if (d.Length < 6)
            throw ImageException.Malformed("a lookup table descriptor has fewer than three values");
        var count = BinaryPrimitives.ReadUInt16LittleEndian(d) is var n && n == 0 ? 65536 : (int)BinaryPrimitives.ReadUInt16LittleEndian(d);
        int first = signed ? BinaryPrimitives.ReadInt16LittleEndian(d[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(d[2..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(d[4..]);
        var bytes = data.Bytes.Span;
        var entries = new ushort[count];
        if (bytes.Length >= count * 2)
        {
            for (var i = 0; i < count; i++)
                entries[i] = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(i * 2)..]);
        }
        else if (bits <= 8 && bytes.Length >= count)
        {
            for (var i = 0; i < count; i++)
                entries[i] = bytes[i];
        }
        else
        {
            throw ImageException.Malformed($"a lookup table of {count} entries has only {bytes.Length} bytes of data");
        }
        if (bits <= 8 && bytes.Length >= count * 2 && entries.Any(e => e > 255))
        {
            // 8-bit entries packed two to a word.
            for (var i = 0; i < count; i++)
                entries[i] = bytes[i];
        }
        return new Lut(first, bits, entries);
    }
}
