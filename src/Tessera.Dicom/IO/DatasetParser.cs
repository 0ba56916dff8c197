using System.Buffers.Binary;
using Tessera.Dicom.Dictionary;

namespace Tessera.Dicom.IO;

/// <summary>
/// Parses data elements (PS3.5 7) from a <see cref="DicomInput"/>. Recursion is bounded by
/// <see cref="DicomReadOptions.MaxDepth"/>; every length is checked against what the input holds.
/// </summary>
internal sealed class DatasetParser(DicomInput input, TransferSyntax syntax, DicomReadOptions options, IBulkDataSource? source)
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private bool _explicit = syntax.ExplicitVr;
    private bool _bigEndian = syntax.BigEndian;
    private readonly bool _canReference = source is not null && input.CanSeek;

    // The end of the innermost enclosing defined-length item or sequence: nothing may cross it.
    private long _limit = -1;

    private int _items;
    private int _elements;

    /// <summary>Defects the parser read past (lenient reading), for reports.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>Reads only group 0002 (the file meta information) and stops at the first other group.</summary>
    public bool MetaOnly { get; init; }

    private enum End { Data, Item, SequenceDelimiter, Stopped }

    /// <summary>Reads the top-level dataset; true when it stopped before the end (<see cref="DicomReadOptions.StopBefore"/>).</summary>
    public bool ReadTopLevel(DicomDataset dataset) => ReadElements(dataset, -1, 0) == End.Stopped;

    private End ReadElements(DicomDataset dataset, long end, int depth)
    {
        var top = depth == 0;
        while (true)
        {
            if (end >= 0 && input.Position >= end)
            {
                if (input.Position > end)
                    throw new DicomException("an element runs past the end of its item", input.Position);
                return End.Item;
            }
            if (!input.Ensure(8))
            {
                if (top && end < 0 && TrailingPadding())
                    return End.Data;
                if (top && end < 0)
                {
                    Warnings.Add($"{input.Available} stray bytes after the last element were ignored");
                    input.Advance(input.Available);
                    return End.Data;
                }
                throw input.Truncated(8, input.Available, null);
            }
            var head = input.Peek(8);
            var group = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head) : BinaryPrimitives.ReadUInt16LittleEndian(head);
            var element = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
            var tag = new DicomTag(group, element);

            if (group == 0xFFFE)
            {
                if (tag == DicomTag.ItemDelimitation)
                {
                    input.Advance(8);
                    if (!top && end < 0)
                        return End.Item;
                    Warnings.Add($"a stray item delimiter at offset {input.Position - 8} was ignored");
                    continue;
                }
                if (tag == DicomTag.SequenceDelimitation)
                {
                    if (!top)
                        return End.SequenceDelimiter; // the item's own delimiter is missing; the sequence reader consumes this
                    input.Advance(8);
                    Warnings.Add($"a stray sequence delimiter at offset {input.Position - 8} was ignored");
                    continue;
                }
                var strayLength = _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
                if (tag != DicomTag.Item || strayLength == UndefinedLength)
                    throw new DicomException("an item tag where a data element should be", input.Position, tag);
                // An item outside any sequence (its sequence's header was lost by the writer): skip it, say so.
                Warnings.Add($"an item of {strayLength} bytes outside any sequence at offset {input.Position} was skipped");
                input.Advance(8);
                CheckWithinLimit(strayLength, tag);
                input.Skip(strayLength, tag);
                continue;
            }
            if (MetaOnly && group != 0x0002)
                return End.Data;
            if (top && options.StopBefore is { } stop && tag >= stop)
                return End.Stopped;
            if (top && tag.Value == 0 && TrailingPadding())
                return End.Data;

            if (++_elements > options.MaxElements)
                throw new DicomException($"the input holds more than {options.MaxElements:N0} elements; refusing it", input.Position, tag);
            var value = ReadElement(tag, head, depth);
            if (!dataset.TryAppend(value))
                Warnings.Add($"{tag} appears twice in one dataset; the second was ignored");
        }
    }

    private DicomElement ReadElement(DicomTag tag, ReadOnlySpan<byte> head, int depth)
    {
        var vr = DicomVr.None;
        uint length;
        var explicitVr = _explicit && DicomVrInfo.TryParse(head[4], head[5], out vr);
        if (_explicit && !explicitVr && head[4] == ' ' && head[5] == ' ' && NextHeaderFollowsAt(6, tag))
        {
            // Seen in the field: a VR of two spaces and no length at all, the next element right after.
            Warnings.Add($"{tag} has a VR of two spaces and no length; read as empty");
            input.Advance(6);
            return new DicomValueElement(tag, DicomDictionary.ImplicitVr(tag) is var known && known != DicomVr.SQ ? known : DicomVr.UN, ReadOnlyMemory<byte>.Empty);
        }
        if (_explicit && !explicitVr && IsPrintable(head[4]) && IsPrintable(head[5]))
        {
            // Letters that name no VR (e.g. two spaces): a writer's bad VR in an explicit header with a 16-bit length, as dcmtk reads it.
            Warnings.Add($"{tag} has the unknown VR '{(char)head[4]}{(char)head[5]}'; read with the dictionary's");
            vr = tag.IsPrivateCreator ? DicomVr.LO : DicomDictionary.ImplicitVr(tag);
            length = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[6..]);
            input.Advance(8);
            return ReadValue(tag, vr == DicomVr.SQ ? DicomVr.UN : vr, length);
        }
        if (explicitVr)
        {
            if (DicomVrInfo.HasLongLength(vr))
            {
                if (!input.Ensure(12))
                    throw input.Truncated(12, input.Available, tag);
                var longHead = input.Peek(12);
                length = _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(longHead[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(longHead[8..]);
                input.Advance(12);
            }
            else
            {
                length = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[6..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[6..]);
                input.Advance(8);
            }
        }
        else
        {
            // Implicit VR, or an explicit VR file with an element whose VR bytes are not a VR: read it as implicit (lenient).
            vr = tag.IsPrivateCreator ? DicomVr.LO : DicomDictionary.ImplicitVr(tag);
            length = _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(head[4..]) : BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
            input.Advance(8);
        }

        if (length == UndefinedLength)
        {
            if (vr == DicomVr.SQ)
                return ReadSequence(tag, DicomVr.SQ, length, depth, implicitContent: false);
            if (vr == DicomVr.UN && explicitVr)
                return ReadSequence(tag, DicomVr.UN, length, depth, implicitContent: true);
            if (vr is DicomVr.OB or DicomVr.OW || tag == DicomTags.PixelData)
                return ReadFragments(tag, vr is DicomVr.OW ? DicomVr.OW : DicomVr.OB);
            // Implicit VR: undefined length means a sequence whatever the dictionary says (PS3.5 7.5.1).
            return ReadSequence(tag, DicomVr.SQ, length, depth, implicitContent: false);
        }
        if (vr == DicomVr.SQ && (explicitVr || length == 0 || StartsWithItem()))
            return ReadSequence(tag, DicomVr.SQ, length, depth, implicitContent: false);
        if (vr == DicomVr.SQ)
        {
            // Implicit VR, a sequence in the dictionary, but the value holds no items: another VR was written (e.g. CS).
            Warnings.Add($"{tag} is a sequence in the dictionary but holds a plain value; kept as UN");
            return ReadValue(tag, DicomVr.UN, length);
        }
        if (vr == DicomVr.UN && length >= 8 && StartsWithItem())
            return ReadSniffedSequence(tag, vr, length, depth, explicitVr);
        return ReadValue(tag, vr, length);
    }

    private DicomValueElement ReadValue(DicomTag tag, DicomVr vr, long length)
    {
        CheckWithinLimit(length, tag);
        var wordSize = _bigEndian ? DicomVrInfo.WordSize(vr) : 1;
        if (length > options.BulkDataThreshold)
        {
            if (_canReference)
            {
                input.CheckFits(length, tag);
                var reference = new BulkDataReference(source!, input.Position, length, DicomVrInfo.WordSize(vr), _bigEndian);
                input.Skip(length, tag);
                return new DicomValueElement(tag, vr, reference);
            }
            if (options.DropBulkData)
            {
                var dropped = new BulkDataReference(DroppedBulkData.Instance, input.Position, length);
                input.Skip(length, tag);
                return new DicomValueElement(tag, vr, dropped);
            }
        }
        var bytes = input.ReadBytes(length, tag);
        if (wordSize > 1)
            ByteOrder.Swap(bytes, wordSize);
        return new DicomValueElement(tag, vr, bytes);
    }

    private DicomSequence ReadSequence(DicomTag tag, DicomVr vr, uint length, int depth, bool implicitContent)
    {
        if (depth + 1 > options.MaxDepth)
            throw new DicomException($"sequences nest deeper than {options.MaxDepth} levels; refusing the input", input.Position, tag);
        var undefined = length == UndefinedLength;
        var claimedEmpty = length == 0 && StartsWithItem();
        if (claimedEmpty)
            Warnings.Add($"sequence {tag} claims length 0 but items follow; they were read as its items");
        if (!undefined)
            CheckWithinLimit(length, tag);
        var sequence = new DicomSequence(tag, vr, null, undefined) { EncodedLength = undefined ? -1 : length };
        var (wasExplicit, wasBigEndian, outerLimit) = (_explicit, _bigEndian, _limit);
        if (implicitContent)
            (_explicit, _bigEndian) = (false, false); // UN content is implicit VR little endian (PS3.5 6.2.2)
        var end = undefined || claimedEmpty ? -1 : input.Position + length;
        if (end >= 0)
            _limit = end;
        try
        {
            while (end < 0 || input.Position < end)
            {
                if (claimedEmpty && !StartsWithItem() && !StartsWith(DicomTag.SequenceDelimitation))
                    break;
                var (itemTag, itemLength) = ReadItemHeader(tag);
                if (itemTag == DicomTag.SequenceDelimitation)
                {
                    sequence.DelimiterInDefinedLength = end >= 0;
                    break;
                }
                if (itemTag != DicomTag.Item)
                    throw new DicomException($"expected an item in sequence {tag}, found {itemTag}", input.Position - 8, tag);
                if (ReadItem(sequence, itemLength, depth) == End.SequenceDelimiter)
                {
                    // The last item lacks its delimiter; the sequence's delimiter closes both.
                    input.Advance(8);
                    break;
                }
            }
            if (end >= 0 && input.Position > end)
                throw new DicomException($"an item runs past the end of sequence {tag}", input.Position, tag);
        }
        finally
        {
            (_explicit, _bigEndian, _limit) = (wasExplicit, wasBigEndian, outerLimit);
        }
        return sequence;
    }

    private End ReadItem(DicomSequence sequence, uint itemLength, int depth)
    {
        if (++_items > options.MaxItems)
            throw new DicomException($"the input holds more than {options.MaxItems:N0} sequence items; refusing it", input.Position - 8, sequence.Tag);
        var item = new DicomDataset { UndefinedLength = itemLength == UndefinedLength, Offset = input.Position - 8 };
        sequence.Add(item);
        if (itemLength == UndefinedLength)
            return ReadElements(item, -1, depth + 1);
        CheckWithinLimit(itemLength, sequence.Tag);
        var outerLimit = _limit;
        _limit = input.Position + itemLength;
        try
        {
            return ReadElements(item, _limit, depth + 1);
        }
        finally
        {
            _limit = outerLimit;
        }
    }

    /// <summary>
    /// A UN value that starts like a sequence (a private sequence that passed through implicit VR):
    /// parsed from its bytes as implicit, else explicit VR little endian; kept as plain bytes if neither holds.
    /// </summary>
    private DicomElement ReadSniffedSequence(DicomTag tag, DicomVr vr, uint length, int depth, bool explicitVrFile)
    {
        var bytes = input.ReadBytes(length, tag);
        foreach (var syntax in new[] { TransferSyntax.ImplicitVrLittleEndian, TransferSyntax.ExplicitVrLittleEndian })
        {
            try
            {
                var nested = new DatasetParser(new DicomInput(new MemoryStream(bytes, writable: false), 0), syntax, options, null);
                var sequence = nested.ReadSequence(tag, explicitVrFile ? DicomVr.UN : DicomVr.SQ, length, depth, implicitContent: false);
                if (syntax.ExplicitVr)
                {
                    // Explicit content inside an implicit value cannot be written back as it came; keep the bytes.
                    Warnings.Add($"{tag} holds a sequence in explicit VR inside an implicit VR value; kept as bytes");
                    break;
                }
                Warnings.AddRange(nested.Warnings);
                return sequence;
            }
            catch (DicomException)
            {
                // Not a sequence in this encoding; try the next, else keep the bytes.
            }
        }
        return new DicomValueElement(tag, DicomVr.UN, bytes);
    }

    private DicomFragments ReadFragments(DicomTag tag, DicomVr vr)
    {
        var fragments = new DicomFragments(tag, vr);
        var first = true;
        while (true)
        {
            if (!first && input.AtEnd)
            {
                // Every fragment is whole; only the closing delimiter is missing (PS3.5 A.4). Keep the frames, say so.
                Warnings.Add($"encapsulated {tag} ends without its sequence delimiter");
                return fragments;
            }
            var (itemTag, length) = ReadItemHeader(tag);
            if (itemTag == DicomTag.SequenceDelimitation)
                return fragments;
            if (itemTag != DicomTag.Item)
                throw new DicomException($"expected a fragment item in encapsulated {tag}, found {itemTag}", input.Position - 8, tag);
            if (length == UndefinedLength)
                throw new DicomException("a fragment of encapsulated pixel data has undefined length", input.Position - 8, tag);
            if (first)
            {
                fragments.OffsetTable = new DicomFragment(input.ReadBytes(length, tag));
                first = false;
                continue;
            }
            fragments.Fragments.Add(ReadFragment(tag, length));
        }
    }

    private DicomFragment ReadFragment(DicomTag tag, long length)
    {
        if (length > options.BulkDataThreshold && (_canReference || options.DropBulkData))
        {
            input.CheckFits(length, tag);
            var reference = _canReference
                ? new BulkDataReference(source!, input.Position, length)
                : new BulkDataReference(DroppedBulkData.Instance, input.Position, length);
            input.Skip(length, tag);
            return new DicomFragment(reference);
        }
        return new DicomFragment(input.ReadBytes(length, tag));
    }

    private (DicomTag Tag, uint Length) ReadItemHeader(DicomTag owner)
    {
        if (!input.Ensure(8))
            throw input.Truncated(8, input.Available, owner);
        var head = input.Peek(8);
        DicomTag tag;
        uint length;
        if (_bigEndian)
        {
            tag = new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(head), BinaryPrimitives.ReadUInt16BigEndian(head[2..]));
            length = BinaryPrimitives.ReadUInt32BigEndian(head[4..]);
        }
        else
        {
            tag = new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(head), BinaryPrimitives.ReadUInt16LittleEndian(head[2..]));
            length = BinaryPrimitives.ReadUInt32LittleEndian(head[4..]);
        }
        input.Advance(8);
        return (tag, length);
    }

    private void CheckWithinLimit(long length, DicomTag tag)
    {
        if (_limit >= 0 && input.Position + length > _limit)
            throw new DicomException($"{tag} claims {length} bytes, past the end of the item or sequence that holds it", input.Position, tag);
        input.CheckFits(length, tag);
    }

    private bool StartsWith(DicomTag tag)
    {
        if (!input.Ensure(4))
            return false;
        var head = input.Peek(4);
        var group = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head) : BinaryPrimitives.ReadUInt16LittleEndian(head);
        var element = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
        return new DicomTag(group, element) == tag;
    }

    /// <summary>Whether an implicit UN value begins with an item tag, i.e. holds a sequence (private sequences in implicit VR files).</summary>
    private bool StartsWithItem() => StartsWith(DicomTag.Item);

    /// <summary>Whether a plausible explicit VR element header (a later tag in the same group, VR letters) starts <paramref name="offset"/> bytes ahead.</summary>
    private bool NextHeaderFollowsAt(int offset, DicomTag current)
    {
        if (!input.Ensure(offset + 6))
            return false;
        var head = input.Peek(offset + 6)[offset..];
        var group = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head) : BinaryPrimitives.ReadUInt16LittleEndian(head);
        var element = _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(head[2..]) : BinaryPrimitives.ReadUInt16LittleEndian(head[2..]);
        return new DicomTag(group, element) > current && group == current.Group && DicomVrInfo.TryParse(head[4], head[5], out _);
    }

    private static bool IsPrintable(byte b) => b is >= 0x20 and < 0x7F;

    /// <summary>Zero bytes after the last element (padding some writers leave) end the dataset quietly.</summary>
    private bool TrailingPadding()
    {
        var start = input.Position;
        while (input.Ensure(1))
        {
            var available = input.Peek(input.Available);
            if (available.ContainsAnyExcept((byte)0))
                return false;
            input.Advance(available.Length);
        }
        if (input.Position > start)
            Warnings.Add($"{input.Position - start} zero bytes after the last element were ignored");
        return true;
    }
}

/// <summary>Stands for values that were skipped while reading a stream that cannot be read again.</summary>
internal sealed class DroppedBulkData : IBulkDataSource
{
    public static readonly DroppedBulkData Instance = new();

    public Stream Open() => throw new DicomException("this value was not kept when the stream was read (bulk data dropped)");
}
