namespace Tessera.Dicom;

/// <summary>Bytes held in memory, or left in their source and loaded on first use.</summary>
internal struct LazyValue
{
    private ReadOnlyMemory<byte> _bytes;

    public LazyValue(ReadOnlyMemory<byte> bytes) => _bytes = bytes;

    public LazyValue(BulkDataReference bulk) => Bulk = bulk;

    public BulkDataReference? Bulk { get; private set; }

    public readonly long Length => Bulk?.Length ?? _bytes.Length;

    /// <summary>The bytes as held, without loading (empty while they are still in the source).</summary>
    public readonly ReadOnlyMemory<byte> Loaded => _bytes;

    public ReadOnlyMemory<byte> Load()
    {
        if (Bulk is { } bulk)
        {
            _bytes = bulk.ReadAll();
            Bulk = null;
        }
        return _bytes;
    }
}
