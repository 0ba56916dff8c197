namespace Tessera.Archive.Storage;

/// <summary>
/// Blobs as local files, for readers that need a path or positioned reads (OpenSlide, libtiff, libvips, NIfTI and PNG
/// read band by band, the DICOM toolkit's bulk data): the store's own file when it keeps blobs as files
/// (<see cref="IBlobStore.LocalFiles"/>), else a copy in the bounded <see cref="BlobFileCache"/>.
/// </summary>
public sealed class BlobFiles(IBlobStore blobs, BlobFileCache cache)
{
    /// <summary>The blob's local file; <see cref="BlobMissingException"/> when the store does not hold it.</summary>
    public async Task<string> PathAsync(string key, CancellationToken ct)
    {
        if (blobs.LocalFiles is { } files)
            return files.PathOf(key) ?? throw new BlobMissingException(key);
        return await cache.GetAsync(key, ct);
    }
}
