using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;

namespace Tessera.Archive.Users;

/// <summary>Opaque bearer tokens: 256 random bits shown once; only their SHA-256 is stored.</summary>
public sealed class TokenService(ArchiveDbContext db, AccessService access, TimeProvider clock)
{
    public const string Prefix = "tsr_";
    public const int MaximumDays = 3650;

    public async Task<(ApiToken Token, string Secret)> CreateAsync(
        Caller caller, string name, int expiresInDays, string? project, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.RequireUserId();
        if (string.IsNullOrWhiteSpace(name) || name.Length > 128)
        {
            throw TesseraException.Invalid("A token needs a name of 1 to 128 characters.");
        }
        if (caller.JobId is not null)
        {
            throw TesseraException.Forbidden("A job's token cannot make other tokens.");
        }
        // A token it made could outlive it (a longer expiry, and its revocation would not reach the child).
        if (caller.TokenProjectId is not null)
        {
            throw TesseraException.Forbidden("A project-scoped token cannot make other tokens: sign in with the password, or use an unscoped token.");
        }
        if (expiresInDays is < 1 or > MaximumDays)
        {
            throw TesseraException.Invalid($"expiresInDays must be between 1 and {MaximumDays}.");
        }
        Guid? projectId = null;
        if (project is not null)
        {
            projectId = (await access.RequireAsync(project, caller, AccessLevel.Read, ct)).Project.Id;
        }
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = name,
            SecretHash = Hash(secret),
            ProjectId = projectId,
            CreatedAt = now,
            ExpiresAt = now.AddDays(expiresInDays),
        };
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(ct);
        return (token, secret);
    }

    /// <summary>
    /// A job's own token: it acts for the user who submitted the job, in the job's project only, and
    /// lives as long as the job may run (it is deleted when the job ends).
    /// </summary>
    public async Task<string> CreateJobTokenAsync(Guid userId, Guid projectId, Guid jobId, TimeSpan lifetime, CancellationToken ct)
    {
        var secret = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow().UtcDateTime;
        db.ApiTokens.Add(new ApiToken
        {
            Id = Guid.CreateVersion7(),
            UserId = userId,
            Name = $"job {jobId}",
            SecretHash = Hash(secret),
            ProjectId = projectId,
            JobId = jobId,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(ct);
        return secret;
    }

    public Task DeleteJobTokensAsync(Guid jobId, CancellationToken ct) =>
        db.ApiTokens.Where(t => t.JobId == jobId).ExecuteDeleteAsync(ct);

    /// <summary>The caller a bearer token stands for, or null when it is unknown, expired or its user disabled.</summary>
    public async Task<Caller?> AuthenticateAsync(string secret, CancellationToken ct)
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var hash = Hash(secret);
        var now = clock.GetUtcNow().UtcDateTime;
        var found = await db.ApiTokens.AsNoTracking()
            .Where(t => t.SecretHash == hash && t.ExpiresAt > now)
            .Select(t => new { t.Id, t.ProjectId, t.JobId, t.User!.Username, t.User.IsAdmin, t.User.IsDisabled, t.UserId, t.LastUsedAt })
            .FirstOrDefaultAsync(ct);
        if (found is null || found.IsDisabled)
        {
            return null;
        }
        // Record use at most once a minute to keep reads read-only in the common case.
        if (found.LastUsedAt is null || now - found.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            await db.ApiTokens.Where(t => t.Id == found.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), ct);
        }
        // A project-scoped token never carries the site admin right beyond its project.
        var isAdmin = found.IsAdmin && found.ProjectId is null;
        return new Caller(found.UserId, found.Username, isAdmin, found.ProjectId, found.JobId) { TokenId = found.Id };
    }

    public Task<List<ApiToken>> ListAsync(Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.RequireUserId();
        return Own(caller, userId).AsNoTracking().Where(t => t.JobId == null).OrderBy(t => t.CreatedAt).ToListAsync(ct);
    }

    /// <summary>The caller's tokens it may see and revoke: all of the user's, or for a project-scoped caller those of its project.</summary>
    private IQueryable<ApiToken> Own(Caller caller, Guid userId)
    {
        var tokens = db.ApiTokens.Where(t => t.UserId == userId);
        return caller.TokenProjectId is { } scope ? tokens.Where(t => t.ProjectId == scope) : tokens;
    }

    public async Task DeleteAsync(Caller caller, Guid id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var userId = caller.RequireUserId();
        var deleted = await Own(caller, userId).Where(t => t.Id == id).ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            throw TesseraException.NotFound("Token");
        }
    }

    private static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
