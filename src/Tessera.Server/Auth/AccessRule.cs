namespace Tessera.Server.Auth;

/// <summary>
/// Who may call an endpoint. Every API endpoint declares one (the authorisation test fails on
/// any that does not). <see cref="Authenticated"/> and <see cref="Admin"/> are enforced by
/// <see cref="AccessRuleMiddleware"/>; project rules are enforced by the archive's AccessService
/// and only declared here.
/// </summary>
public enum AccessRule
{
    /// <summary>Anyone, anonymous included.</summary>
    Public,
    /// <summary>Any signed-in user.</summary>
    Authenticated,
    /// <summary>Site administrators.</summary>
    Admin,
    /// <summary>Anyone; the answer covers only the projects the caller may read (404 when none of the asked-for data is readable).</summary>
    ReadableProjects,
    /// <summary>Readers of the project: its members of any role, admins, anyone when it is public.</summary>
    ProjectRead,
    /// <summary>Members and owners of the project, admins.</summary>
    ProjectWrite,
    /// <summary>Owners of the project, admins.</summary>
    ProjectManage,
    /// <summary>Only the token of the job named by the route's <c>job</c> (what <c>tessera job-run</c> on a batch node holds).</summary>
    JobToken,
    /// <summary>
    /// Writers of the project that the route's DICOM node (<c>aeTitle</c>) serves, and admins; a node without a project
    /// is for admins alone. Signed-in is enforced by the middleware, the node's project by the DICOM client service.
    /// </summary>
    NodeProjectWrite,
}
