namespace Tessera.Archive.Storage;

/// <summary>A blob the index references is absent from the store: a consistency fault, not a user error.</summary>
public sealed class BlobMissingException(string key) : IOException($"Blob {key} is missing from the store.")
{
    public string Key { get; } = key;
}
