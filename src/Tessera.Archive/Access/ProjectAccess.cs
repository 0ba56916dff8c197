using Tessera.Archive.Data;

namespace Tessera.Archive.Access;

/// <summary>A project the caller has been cleared to use, with the role that cleared them.</summary>
public sealed record ProjectAccess(Project Project, ProjectRole Role, Caller Caller)
{
    public bool CanWrite => Caller.IsAdmin || Role >= ProjectRole.Member;

    public bool CanManage => Caller.IsAdmin || Role >= ProjectRole.Owner;

    /// <summary>Throws <see cref="ErrorKind.Forbidden"/> unless the caller may change the project's data.</summary>
    public void RequireWrite()
    {
        if (!CanWrite)
        {
            throw TesseraException.Forbidden("Your role on this project does not allow changing its data.");
        }
    }
}
