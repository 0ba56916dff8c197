using Tessera.Archive.Data;

namespace Tessera.Archive.Ingest;

public sealed record IngestResult(StoredFile File, bool Created);
