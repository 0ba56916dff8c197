using Tessera.Archive.Files;

namespace Tessera.Archive.Uploads;

/// <summary>Where a resumable upload's file goes once complete, and its declared media type.</summary>
public sealed record UploadTarget(string Project, FileOwner Owner, string Resource, string Path, string? MediaType = null);
