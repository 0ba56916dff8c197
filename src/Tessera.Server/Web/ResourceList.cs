using Tessera.Archive.Files;

namespace Tessera.Server.Web;

/// <summary>The resources of one entity, with what a page needs to link to them.</summary>
public sealed record ResourceList(string Project, string OwnerPath, IReadOnlyList<ResourceSummary> Items);
