namespace Tessera.Archive.Data;

/// <summary>
/// A de-identifying project's pseudonym for one original patient. <see cref="Lookup"/> is a keyed hash
/// (HMAC-SHA-256 with a key derived from the project's secret) of the original PatientID and
/// IssuerOfPatientID, so the same patient finds the same pseudonym on every import without the ID being
/// kept; the ID itself is kept in clear only while the project keeps the mapping for re-identification.
/// </summary>
public sealed class Pseudonym
{
    public Guid Id { get; set; }

    public Guid ProjectId { get; set; }

    /// <summary>64 hex digits: the keyed hash of the original identity (unique in the project).</summary>
    public required string Lookup { get; set; }

    /// <summary>The pseudonym: the subject label, PatientID and PatientName of the stored objects (unique in the project).</summary>
    public required string Label { get; set; }

    /// <summary>The counter's n for a counter pseudonym (unique in the project), null for a keyed-hash one.</summary>
    public int? Number { get; set; }

    /// <summary>The original PatientID (up to 256 characters: LO holds 64, but a file may break the rule), only while the project keeps the mapping; null otherwise.</summary>
    public string? PatientId { get; set; }

    /// <summary>The original IssuerOfPatientID, only while the project keeps the mapping.</summary>
    public string? IssuerOfPatientId { get; set; }

    /// <summary>
    /// For a patient whose files had no PatientID (one pseudonym per original study): that study's original
    /// StudyInstanceUID, only while the project keeps the mapping; null otherwise.
    /// </summary>
    public string? StudyInstanceUid { get; set; }

    public DateTime CreatedAt { get; set; }
}
