namespace Tessera.Dicom;

/// <summary>A sequence of items (PS3.5 7.5), each a nested dataset.</summary>
public sealed class DicomSequence : DicomElement
{
    private readonly List<DicomDataset> _items = [];

    public DicomSequence(DicomTag tag, IEnumerable<DicomDataset>? items = null, bool undefinedLength = true)
        : this(tag, DicomVr.SQ, items, undefinedLength) { }

    /// <param name="vr">SQ, or UN for a sequence that an explicit VR file carries as UN with implicit VR content (PS3.5 6.2.2).</param>
    internal DicomSequence(DicomTag tag, DicomVr vr, IEnumerable<DicomDataset>? items, bool undefinedLength) : base(tag, vr)
    {
        UndefinedLength = undefinedLength;
        foreach (var item in items ?? [])
            Add(item);
    }

    public IReadOnlyList<DicomDataset> Items => _items;

    /// <summary>Whether the sequence was (and is written) with undefined length and a delimiter.</summary>
    public bool UndefinedLength { get; set; }

    /// <summary>The length as read, when defined; writers compute their own.</summary>
    public long EncodedLength { get; internal set; } = -1;

    public override long Length => UndefinedLength ? -1 : EncodedLength;

    /// <summary>A defined-length sequence that still ended with a delimiter (a writer's quirk), kept so it writes back as it came.</summary>
    internal bool DelimiterInDefinedLength { get; set; }

    internal bool WritesDelimiter => UndefinedLength || DelimiterInDefinedLength;

    public void Add(DicomDataset item)
    {
        item.Parent = this;
        _items.Add(item);
    }

    internal DicomDataset? Owner { get; set; }
}
