using System.Collections;
using Tessera.Dicom.Text;

namespace Tessera.Dicom;

/// <summary>
/// A dataset or sequence item: data elements in ascending tag order (PS3.5 7.1). Items inherit the
/// Specific Character Set of the dataset that holds them unless they declare their own.
/// </summary>
public sealed partial class DicomDataset : IEnumerable<DicomElement>
{
    private readonly List<DicomElement> _elements = [];
    private DicomCharacterSet? _characterSet;

    public DicomDataset() { }

    public DicomDataset(IEnumerable<DicomElement> elements)
    {
        foreach (var element in elements)
            Set(element);
    }

    public int Count => _elements.Count;

    /// <summary>The sequence this item belongs to, or null for a top-level dataset.</summary>
    public DicomSequence? Parent { get; internal set; }

    /// <summary>For items: whether the item was (and is written) with undefined length and an item delimiter.</summary>
    public bool UndefinedLength { get; set; } = true;

    /// <summary>
    /// For items read from a stream: where the item's tag starts, counted from the source's first byte
    /// (the preamble's, for a Part 10 file), as DICOMDIR records name each other (PS3.3 F.3.2.1); -1 otherwise.
    /// </summary>
    public long Offset { get; internal set; } = -1;

    public DicomElement? this[DicomTag tag] => Find(tag);

    public bool Contains(DicomTag tag) => IndexOf(tag) >= 0;

    public DicomElement? Find(DicomTag tag)
    {
        var i = IndexOf(tag);
        return i >= 0 ? _elements[i] : null;
    }

    /// <summary>Adds or replaces the element with the same tag.</summary>
    public void Set(DicomElement element)
    {
        var count = _elements.Count;
        if (count == 0 || _elements[count - 1].Tag < element.Tag)
        {
            _elements.Add(element);
        }
        else
        {
            var i = IndexOf(element.Tag);
            if (i >= 0)
                _elements[i] = element;
            else
                _elements.Insert(~i, element);
        }
        if (element is DicomSequence sequence)
            sequence.Owner = this;
        if (element.Tag == DicomTags.SpecificCharacterSet)
            _characterSet = null;
    }

    /// <summary>Adds an element read from a stream; a repeated tag keeps the first occurrence, as readers in the field do.</summary>
    internal bool TryAppend(DicomElement element)
    {
        var count = _elements.Count;
        if (count > 0 && _elements[count - 1].Tag >= element.Tag)
        {
            if (IndexOf(element.Tag) >= 0)
                return false;
        }
        Set(element);
        return true;
    }

    public bool Remove(DicomTag tag)
    {
        var i = IndexOf(tag);
        if (i < 0)
            return false;
        _elements.RemoveAt(i);
        if (tag == DicomTags.SpecificCharacterSet)
            _characterSet = null;
        return true;
    }

    /// <summary>Removes every element that matches; returns how many went.</summary>
    public int RemoveAll(Predicate<DicomElement> match)
    {
        var removed = _elements.RemoveAll(match);
        if (removed > 0)
            _characterSet = null;
        return removed;
    }

    /// <summary>The character set strings of this dataset are in: its own (0008,0005), else its parent's.</summary>
    public DicomCharacterSet CharacterSet
    {
        get
        {
            if (_characterSet is not null)
                return _characterSet;
            if (Find(DicomTags.SpecificCharacterSet) is DicomValueElement declared)
                return _characterSet = DicomCharacterSet.FromTerms(SplitValues(System.Text.Encoding.ASCII.GetString(declared.Bytes.Span)));
            return Parent?.Owner?.CharacterSet ?? DicomCharacterSet.Default;
        }
    }

    public IEnumerator<DicomElement> GetEnumerator() => _elements.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(DicomTag tag)
    {
        int lo = 0, hi = _elements.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = _elements[mid].Tag.Value.CompareTo(tag.Value);
            if (c == 0)
                return mid;
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }

    internal static string[] SplitValues(string text) => text.Split('\\');
}
