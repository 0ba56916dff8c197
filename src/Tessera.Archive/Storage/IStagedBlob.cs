namespace Tessera.Archive.Storage;

/// <summary>Content written and hashed but not yet visible under its key.</summary>
public interface IStagedBlob : IAsyncDisposable
{
    /// <summary>Lower-case hex SHA-256 of the content: the key it will have.</summary>
    string Key { get; }

    long Size { get; }

    /// <summary>Makes the content durable under <see cref="Key"/>; idempotent when the key already exists.</summary>
    Task CommitAsync(CancellationToken cancellationToken);
}
