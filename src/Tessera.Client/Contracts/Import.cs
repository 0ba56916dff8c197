namespace Tessera.Client.Contracts;

/// <summary>
/// One file of an import: outcome (stored, duplicate, newVersion, rejected, storedAsOther, notStored; on discs also
/// directory — a DICOMDIR, read, not stored —, missing — referenced by a DICOMDIR, absent — and skipped — not DICOM and
/// not referenced), why, and where it went.
/// </summary>
public sealed record ImportedFileDto(string Name, string Outcome, string? Reason, string? SopInstanceUid, string? Target, IReadOnlyList<string> Warnings);

/// <summary>The report of an import (POST /api/projects/{p}/import); <see cref="Discs"/> summarises each DICOMDIR read.</summary>
public sealed record ImportReportDto(
    int Stored, int Duplicates, int NewVersions, int Rejected, int StoredAsOther, int NotStored,
    IReadOnlyList<string> Sessions, IReadOnlyList<ImportedFileDto> Files,
    int Missing = 0, int Skipped = 0, IReadOnlyList<DiscSummaryDto>? Discs = null);

/// <summary>
/// What an import found through one DICOMDIR: records in use, files referenced, found and missing, file IDs refused,
/// files in its folder that no record references, and why it could not be used (or its links not followed), if so.
/// </summary>
public sealed record DiscSummaryDto(
    string Name, string? FileSetId, int Records, int Referenced, int Found, int Missing, int Refused, int Unreferenced,
    string? Error, IReadOnlyList<string> Warnings);
