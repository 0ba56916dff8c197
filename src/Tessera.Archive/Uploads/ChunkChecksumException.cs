namespace Tessera.Archive.Uploads;

/// <summary>A chunk's bytes did not match the checksum the client sent with them; the chunk was discarded.</summary>
public sealed class ChunkChecksumException(string message) : Exception(message);
