using System.Buffers.Binary;

namespace Tessera.Dicom.IO;

/// <summary>Encodes data elements (PS3.5 7) in one byte order and VR mode; values are held little endian and swapped on the way out.</summary>
internal sealed class ElementWriter(Stream output, bool explicitVr, bool bigEndian)
{
    private const uint Undefined = 0xFFFFFFFF;
    private bool _explicit = explicitVr;
    private bool _bigEndian = bigEndian;
    private readonly byte[] _header = new byte[12];

    public void WriteDataset(DicomDataset dataset)
    {
        foreach (var element in dataset)
            WriteElement(element);
    }

    /// <summary>The encoded size of a dataset's elements, for defined lengths.</summary>
    public static long Measure(DicomDataset dataset, bool explicitVr) => MeasureDataset(dataset, explicitVr);

    private void WriteElement(DicomElement element)
    {
        switch (element)
        {
            case DicomValueElement value:
                WriteValue(value);
                break;
            case DicomSequence sequence:
                WriteSequence(sequence);
                break;
            case DicomFragments fragments:
                WriteFragments(fragments);
                break;
        }
    }

    private void WriteValue(DicomValueElement value)
    {
        var length = value.Length;
        WriteHeader(value.Tag, HeaderVr(value.Vr, length, _explicit), (uint)length);
        if (value.Bulk is { } bulk)
        {
            bulk.CopyTo(output, _bigEndian);
        }
        else if (_bigEndian && DicomVrInfo.WordSize(value.Vr) > 1)
        {
            var swapped = value.LoadedBytes.ToArray();
            ByteOrder.Swap(swapped, DicomVrInfo.WordSize(value.Vr));
            output.Write(swapped);
        }
        else
        {
            output.Write(value.LoadedBytes.Span);
        }
    }

    private void WriteSequence(DicomSequence sequence)
    {
        // A sequence that arrived as UN keeps that form in explicit VR output, with implicit VR content (PS3.5 6.2.2).
        var asUn = sequence.Vr == DicomVr.UN && _explicit;
        var length = sequence.UndefinedLength ? Undefined : (uint)MeasureSequenceContent(sequence, asUn ? false : _explicit);
        WriteHeader(sequence.Tag, asUn ? DicomVr.UN : DicomVr.SQ, length);
        var (wasExplicit, wasBigEndian) = (_explicit, _bigEndian);
        if (asUn)
            (_explicit, _bigEndian) = (false, false);
        foreach (var item in sequence.Items)
        {
            var itemLength = item.UndefinedLength ? Undefined : (uint)MeasureDataset(item, _explicit);
            WriteTagAndLength(DicomTag.Item, itemLength);
            WriteDataset(item);
            if (item.UndefinedLength)
                WriteTagAndLength(DicomTag.ItemDelimitation, 0);
        }
        if (sequence.WritesDelimiter)
            WriteTagAndLength(DicomTag.SequenceDelimitation, 0);
        (_explicit, _bigEndian) = (wasExplicit, wasBigEndian);
    }

    private void WriteFragments(DicomFragments fragments)
    {
        WriteHeader(fragments.Tag, fragments.Vr, Undefined);
        WriteFragment(fragments.OffsetTable);
        foreach (var fragment in fragments.Fragments)
            WriteFragment(fragment);
        WriteTagAndLength(DicomTag.SequenceDelimitation, 0);
    }

    private void WriteFragment(DicomFragment fragment)
    {
        WriteTagAndLength(DicomTag.Item, (uint)fragment.Length);
        if (fragment.Bulk is { } bulk)
            bulk.CopyTo(output);
        else
            output.Write(fragment.LoadedBytes.Span);
    }

    /// <summary>An element's header alone, for a value its caller writes after it.</summary>
    public void WriteValueHeader(DicomTag tag, DicomVr vr, uint length) => WriteHeader(tag, vr, length);

    private void WriteHeader(DicomTag tag, DicomVr vr, uint length)
    {
        var h = _header.AsSpan();
        WriteTag(h, tag);
        if (!_explicit)
        {
            WriteUInt32(h[4..], length);
            output.Write(h[..8]);
            return;
        }
        h[4] = (byte)((ushort)vr >> 8);
        h[5] = (byte)vr;
        if (DicomVrInfo.HasLongLength(vr))
        {
            h[6] = h[7] = 0;
            WriteUInt32(h[8..], length);
            output.Write(h[..12]);
            return;
        }
        if (_bigEndian)
            BinaryPrimitives.WriteUInt16BigEndian(h[6..], (ushort)length);
        else
            BinaryPrimitives.WriteUInt16LittleEndian(h[6..], (ushort)length);
        output.Write(h[..8]);
    }

    private void WriteTagAndLength(DicomTag tag, uint length)
    {
        var h = _header.AsSpan(0, 8);
        WriteTag(h, tag);
        WriteUInt32(h[4..], length);
        output.Write(h);
    }

    private void WriteTag(Span<byte> h, DicomTag tag)
    {
        if (_bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(h, tag.Group);
            BinaryPrimitives.WriteUInt16BigEndian(h[2..], tag.Element);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h, tag.Group);
            BinaryPrimitives.WriteUInt16LittleEndian(h[2..], tag.Element);
        }
    }

    private void WriteUInt32(Span<byte> h, uint value)
    {
        if (_bigEndian)
            BinaryPrimitives.WriteUInt32BigEndian(h, value);
        else
            BinaryPrimitives.WriteUInt32LittleEndian(h, value);
    }

    /// <summary>The VR in an explicit header: a value too long for a 16-bit length goes out as UN (PS3.5 6.2.2 note).</summary>
    private static DicomVr HeaderVr(DicomVr vr, long length, bool explicitVr) =>
        explicitVr && !DicomVrInfo.HasLongLength(vr) && length > 0xFFFF ? DicomVr.UN : vr;

    private static long MeasureDataset(DicomDataset dataset, bool explicitVr)
    {
        long total = 0;
        foreach (var element in dataset)
            total += MeasureElement(element, explicitVr);
        return total;
    }

    private static long MeasureElement(DicomElement element, bool explicitVr)
    {
        switch (element)
        {
            case DicomValueElement value:
                var vr = HeaderVr(value.Vr, value.Length, explicitVr);
                return HeaderSize(vr, explicitVr) + value.Length;
            case DicomSequence sequence:
                var asUn = sequence.Vr == DicomVr.UN && explicitVr;
                var content = MeasureSequenceContent(sequence, !asUn && explicitVr);
                return HeaderSize(DicomVr.SQ, explicitVr) + content + (sequence.UndefinedLength ? 8 : 0);
            case DicomFragments fragments:
                return HeaderSize(fragments.Vr, explicitVr) + 8 + fragments.OffsetTable.Length
                    + fragments.Fragments.Sum(f => 8 + f.Length) + 8;
            default:
                return 0;
        }
    }

    /// <summary>What a defined length counts: the items and, for the quirk that has one, the delimiter.</summary>
    private static long MeasureSequenceContent(DicomSequence sequence, bool explicitVr) =>
        sequence.Items.Sum(item => 8 + MeasureDataset(item, explicitVr) + (item.UndefinedLength ? 8 : 0))
        + (sequence.DelimiterInDefinedLength ? 8 : 0);

    private static int HeaderSize(DicomVr vr, bool explicitVr) => explicitVr && DicomVrInfo.HasLongLength(vr) ? 12 : 8;
}
