namespace Tessera.Archive.Access;

/// <summary>Who is asking: a signed-in user (possibly through a project-scoped token) or anonymous.</summary>
/// <remarks><see cref="JobId"/> is set for a job's own token (it acts for the job's submitter, in the job's project).</remarks>
public sealed record Caller(Guid? UserId, string? Username, bool IsAdmin, Guid? TokenProjectId = null, Guid? JobId = null)
{
    public static readonly Caller Anonymous = new(null, null, false);

    /// <summary>The API token the request came with, if it came with one.</summary>
    public Guid? TokenId { get; init; }

    public bool IsAuthenticated => UserId is not null;

    public Guid RequireUserId() => UserId ?? throw TesseraException.Unauthenticated();
}
