namespace Tessera.Archive.Access;

/// <summary>Who is asking: a signed-in user (possibly through a project-scoped token) or anonymous.</summary>
public sealed record Caller(Guid? UserId, string? Username, bool IsAdmin, Guid? TokenProjectId = null)
{
    public static readonly Caller Anonymous = new(null, null, false);

    public bool IsAuthenticated => UserId is not null;

    public Guid RequireUserId() => UserId ?? throw TesseraException.Unauthenticated();
}
