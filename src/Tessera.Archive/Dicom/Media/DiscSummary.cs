namespace Tessera.Archive.Dicom.Media;

/// <summary>What an import found through one DICOMDIR.</summary>
/// <param name="Name">The DICOMDIR's path in the import.</param>
/// <param name="Records">Directory records in use (as followed from the root, or in sequence order when the links are broken).</param>
/// <param name="Referenced">Records that reference a file.</param>
/// <param name="Found">Referenced files present in the import.</param>
/// <param name="Missing">Referenced files absent from the import.</param>
/// <param name="Refused">File IDs refused (they would leave the disc, or are no path at all).</param>
/// <param name="Unreferenced">Files in the DICOMDIR's folder that no record references.</param>
/// <param name="Error">Why the DICOMDIR could not be used (its files were then imported by content), or why its links could not be followed.</param>
public sealed record DiscSummary(
    string Name, string? FileSetId, int Records, int Referenced, int Found, int Missing, int Refused, int Unreferenced, string? Error)
{
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
