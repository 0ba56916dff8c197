namespace Tessera.Client.Contracts;

/// <summary>One file of an import: outcome (stored, duplicate, newVersion, rejected, storedAsOther, notStored), why, and where it went.</summary>
public sealed record ImportedFileDto(string Name, string Outcome, string? Reason, string? SopInstanceUid, string? Target, IReadOnlyList<string> Warnings);

/// <summary>The report of an import (POST /api/projects/{p}/import).</summary>
public sealed record ImportReportDto(
    int Stored, int Duplicates, int NewVersions, int Rejected, int StoredAsOther, int NotStored,
    IReadOnlyList<string> Sessions, IReadOnlyList<ImportedFileDto> Files);
