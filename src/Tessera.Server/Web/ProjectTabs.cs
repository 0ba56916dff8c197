using Tessera.Archive.Access;

namespace Tessera.Server.Web;

/// <summary>The tabs on top of a project's own pages; settings only for those who may change them.</summary>
public sealed record ProjectTabs(ProjectAccess Access, string Active);
