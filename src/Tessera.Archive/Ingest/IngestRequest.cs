using Tessera.Archive.Files;

namespace Tessera.Archive.Ingest;

/// <summary>
/// One file arriving by any entry point, named by its owner, resource label and path.
/// <see cref="ExpectedSha256"/> (lower-case hex, e.g. from Content-Digest) is verified when set;
/// <see cref="DeclaredMediaType"/> is what the client sent, if anything.
/// </summary>
public sealed record IngestRequest(
    FileOwner Owner, string Resource, string Path, string? ExpectedSha256 = null, string? DeclaredMediaType = null);
