namespace Tessera.Dicom;

/// <summary>
/// Encapsulated pixel data (PS3.5 A.4): the Basic Offset Table, then the fragments of the compressed
/// frames. Fragments past the reader's bulk data threshold stay in their source.
/// </summary>
public sealed class DicomFragments(DicomTag tag, DicomVr vr) : DicomElement(tag, vr)
{
    public override long Length => -1;

    /// <summary>The Basic Offset Table item's bytes (little endian 32-bit offsets), possibly empty.</summary>
    public DicomFragment OffsetTable { get; set; } = DicomFragment.Empty;

    public List<DicomFragment> Fragments { get; } = [];

    /// <summary>The offsets of the Basic Offset Table, from the first byte of the first fragment's item tag.</summary>
    public IReadOnlyList<uint> Offsets()
    {
        var bytes = OffsetTable.Bytes.Span;
        var offsets = new uint[bytes.Length / 4];
        for (var i = 0; i < offsets.Length; i++)
            offsets[i] = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes[(i * 4)..]);
        return offsets;
    }
}

/// <summary>One item of encapsulated pixel data, in memory or in its source.</summary>
public sealed class DicomFragment
{
    private LazyValue _value;

    public DicomFragment(ReadOnlyMemory<byte> bytes) => _value = new(bytes);

    public DicomFragment(BulkDataReference bulk) => _value = new(bulk);

    public static DicomFragment Empty => new(ReadOnlyMemory<byte>.Empty);

    public BulkDataReference? Bulk => _value.Bulk;

    public long Length => _value.Length;

    public ReadOnlyMemory<byte> Bytes => _value.Load();

    internal ReadOnlyMemory<byte> LoadedBytes => _value.Loaded;
}
