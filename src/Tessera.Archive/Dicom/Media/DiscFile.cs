namespace Tessera.Archive.Dicom.Media;

/// <summary>A file of an import that lies in a DICOMDIR's folder: whether a record references it, and which SOP instance that record names.</summary>
/// <param name="Directory">The DICOMDIR's name in the import.</param>
public sealed record DiscFile(string Directory, bool Referenced, string? SopInstanceUid = null);
