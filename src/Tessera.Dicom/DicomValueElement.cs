namespace Tessera.Dicom;

/// <summary>
/// An element with a plain value. Numbers are held little endian whatever the source's byte order
/// (PS3.5 7.3); a value past the reader's bulk data threshold stays in its source until asked for.
/// </summary>
public sealed class DicomValueElement : DicomElement
{
    private LazyValue _value;

    public DicomValueElement(DicomTag tag, DicomVr vr, ReadOnlyMemory<byte> bytes) : base(tag, vr) => _value = new(bytes);

    public DicomValueElement(DicomTag tag, DicomVr vr, BulkDataReference bulk) : base(tag, vr) => _value = new(bulk);

    /// <summary>Where the value lies in its source when it was not loaded.</summary>
    public BulkDataReference? Bulk => _value.Bulk;

    public bool IsLoaded => Bulk is null;

    public override long Length => _value.Length;

    /// <summary>The value's bytes; loads bulk data from its source on first use.</summary>
    public ReadOnlyMemory<byte> Bytes => _value.Load();

    /// <summary>The value as stored, for writers that copy bulk data without loading it.</summary>
    internal ReadOnlyMemory<byte> LoadedBytes => _value.Loaded;
}
