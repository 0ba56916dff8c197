namespace Tessera.Archive.Storage;

/// <summary>
/// The storage area for file content, addressed by SHA-256. Deliberately small (as Orthanc's
/// storage area): the index in the database decides what is referenced; the store only holds bytes.
/// </summary>
public interface IBlobStore
{
    /// <summary>
    /// Streams <paramref name="content"/> to a temporary, durable location while hashing it.
    /// Nothing is visible under a key until <see cref="IStagedBlob.CommitAsync"/>; disposing an
    /// uncommitted blob removes the temporary data.
    /// </summary>
    Task<IStagedBlob> StageAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// Stages a complete local file that the caller hands over (e.g. a finished resumable upload),
    /// moving rather than copying it where the store allows. <paramref name="sha256"/> is the
    /// content's hash when the caller computed it while receiving the bytes; otherwise the store
    /// reads the file to hash it. Disposing an uncommitted blob deletes the file.
    /// </summary>
    Task<IStagedBlob> StageFileAsync(string path, string? sha256, CancellationToken cancellationToken);

    /// <summary>
    /// Stages several local files as <see cref="StageFileAsync"/> does, in order. A store may make
    /// them durable together, which is quicker than one by one. If one fails, none stays staged.
    /// </summary>
    Task<IReadOnlyList<IStagedBlob>> StageFilesAsync(IReadOnlyList<(string Path, string? Sha256)> files, CancellationToken cancellationToken);

    /// <summary>Commits staged blobs of this store as <see cref="IStagedBlob.CommitAsync"/> does, together.</summary>
    Task CommitAsync(IReadOnlyList<IStagedBlob> blobs, CancellationToken cancellationToken);

    /// <summary>Opens a committed blob for reading; the stream is seekable where the store allows.</summary>
    Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Opens <paramref name="length"/> bytes of a committed blob from <paramref name="offset"/> (fewer where the blob
    /// ends first): what an object store serves as a ranged GET, so that a frame is read without the file before it.
    /// </summary>
    Task<Stream> OpenRangeAsync(string key, long offset, long length, CancellationToken cancellationToken);

    /// <summary>
    /// The store's blobs as files on this machine, when it keeps them so (the file system store), for readers that need
    /// a path or positioned reads (OpenSlide, libtiff, libvips, the DICOM toolkit's bulk data); null for a store that
    /// does not. Readers ask <see cref="BlobFiles"/>, which falls back to a bounded local copy.
    /// </summary>
    ILocalBlobFiles? LocalFiles { get; }

    Task<bool> ExistsAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes a blob; deleting a missing blob is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Removes temporary data left by crashes; returns how many. What a process that has ended staged
    /// goes at once where the store can tell (see <see cref="StagingArea"/>); anything else only once
    /// untouched for <paramref name="olderThan"/>. A live process's data is never removed.
    /// </summary>
    Task<int> SweepTemporaryAsync(TimeSpan olderThan, CancellationToken cancellationToken);
}

/// <summary>The optional capability of a store whose blobs are files on this machine: they are read in place.</summary>
public interface ILocalBlobFiles
{
    /// <summary>The committed blob's path, or null when it does not exist.</summary>
    string? PathOf(string key);
}
