using Tessera.Archive.Data;

namespace Tessera.Archive.Access;

/// <summary>A project the caller has been cleared to use, with the role that cleared them.</summary>
public sealed record ProjectAccess(Project Project, ProjectRole Role, Caller Caller)
{
    public bool CanWrite => Caller.IsAdmin || Role >= ProjectRole.Member;

    public bool CanManage => Caller.IsAdmin || Role >= ProjectRole.Owner;
}
