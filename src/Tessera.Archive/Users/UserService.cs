using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Tessera.Archive.Access;
using Tessera.Archive.Data;
using Tessera.Archive.Hierarchy;

namespace Tessera.Archive.Users;

public sealed class UserService(ArchiveDbContext db, TimeProvider clock, SignInThrottle throttle, Audit.AuditWriter audit)
{
    public const int MinimumPasswordLength = 8;
    private static readonly PasswordHasher<User> s_hasher = new();

    /// <summary>A hash that no password matches, checked for unknown users so that they take as long as known ones.</summary>
    private static readonly string s_dummyHash = s_hasher.HashPassword(new User { Username = "", PasswordHash = "" }, Guid.NewGuid().ToString("N"));

    public async Task<User> CreateAsync(string username, string password, string? email, bool isAdmin, CancellationToken ct)
    {
        Labels.Validate(username, "username");
        CheckPassword(password);
        if (email is not null && (email.Length > 256 || !email.Contains('@', StringComparison.Ordinal)))
        {
            throw TesseraException.Invalid($"'{email}' is not an e-mail address.");
        }
        if (await db.Users.AnyAsync(u => u.Username == username, ct))
        {
            throw TesseraException.Conflict($"A user named '{username}' already exists.");
        }
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            Username = username,
            Email = email,
            PasswordHash = "",
            IsAdmin = isAdmin,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        user.PasswordHash = s_hasher.HashPassword(user, password);
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseErrors.IsUniqueViolation(e))
        {
            throw TesseraException.Conflict($"A user named '{username}' already exists.");
        }
        return user;
    }

    /// <summary>
    /// Checks a username and password as a sign-in (<paramref name="via"/>: "form", "basic", "dimse", …):
    /// null when they do not match an active user. Failures are audited and throttled per account and
    /// per address (<see cref="SignInThrottle"/>); a held-back check throws <see cref="ErrorKind.TooManyRequests"/>
    /// without looking at the password.
    /// </summary>
    public async Task<User?> SignInAsync(string username, string password, string? address, string via, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(username);
        if (throttle.HeldBack(username, address) is { } wait)
        {
            await RecordAsync(username, address, via, 429, "held back after repeated failures");
            throw TesseraException.TooManyRequests($"Too many failed sign-ins; try again in {Math.Ceiling(wait.TotalSeconds):0} s.", wait);
        }
        var user = await VerifyPasswordAsync(username, password, ct);
        if (user is null)
        {
            throttle.Failed(username, address);
            await RecordAsync(username, address, via, 401, "wrong username or password, or a disabled account");
            return null;
        }
        throttle.Succeeded(username);
        return user;
    }

    private ValueTask RecordAsync(string username, string? address, string via, int status, string why) => audit.RecordAsync(new AuditEntry
    {
        At = clock.GetUtcNow().UtcDateTime, Action = $"sign-in failed ({via})", Target = $"user '{(username.Length > 64 ? username[..64] : username)}': {why}",
        Status = status, ClientAddress = address,
    }, CancellationToken.None);

    /// <summary>Checks a username and password; null when they do not match an active user. Unknown users cost a hash check too.</summary>
    public async Task<User?> VerifyPasswordAsync(string username, string password, CancellationToken ct)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Username == username, ct);
        if (user is null || user.IsDisabled)
        {
            s_hasher.VerifyHashedPassword(user ?? new User { Username = username, PasswordHash = "" }, s_dummyHash, password);
            return null;
        }
        var result = s_hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = s_hasher.HashPassword(user, password);
            await db.SaveChangesAsync(ct);
        }
        return result == PasswordVerificationResult.Failed ? null : user;
    }

    /// <summary>
    /// Sets a new password and revokes the user's API tokens (a reset after a compromise must lock the holder of a
    /// stolen token out too; web sessions end by the security stamp), all but <paramref name="keepToken"/> (the token
    /// of the request changing its own password) and jobs' tokens, which live as long as their job.
    /// </summary>
    public async Task SetPasswordAsync(Guid userId, string password, CancellationToken ct, Guid? keepToken = null)
    {
        CheckPassword(password);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct)
            ?? throw TesseraException.NotFound("User");
        user.PasswordHash = s_hasher.HashPassword(user, password);
        await db.SaveChangesAsync(ct);
        await db.ApiTokens.Where(t => t.UserId == userId && t.JobId == null && t.Id != keepToken).ExecuteDeleteAsync(ct);
    }


    public Task<User?> FindAsync(string username, CancellationToken ct) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, ct);

    public Task<User?> FindByIdAsync(Guid id, CancellationToken ct) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct);

    public async Task<User> GetAsync(Guid id, CancellationToken ct) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, ct)
        ?? throw TesseraException.NotFound("User");

    public Task<List<User>> ListAsync(CancellationToken ct) =>
        db.Users.AsNoTracking().OrderBy(u => u.Username).ToListAsync(ct);

    public async Task<User> UpdateAsync(string username, bool? isAdmin, bool? isDisabled, string? email, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Username == username, ct)
            ?? throw TesseraException.NotFound($"User '{username}'");
        if (user.Id == caller.UserId && (isAdmin == false || isDisabled == true))
        {
            throw TesseraException.Conflict("You cannot remove your own admin right or disable yourself.");
        }
        user.IsAdmin = isAdmin ?? user.IsAdmin;
        user.IsDisabled = isDisabled ?? user.IsDisabled;
        user.Email = email ?? user.Email;
        await db.SaveChangesAsync(ct);
        return user;
    }

    /// <summary>
    /// Removes a user: their memberships, tokens and unfinished uploads go with them (the database's cascades),
    /// while what they stored, the jobs they ran and the audit trail (which names users by username) stay.
    /// Nobody removes themselves, and the last active administrator is never removed (checked in the delete itself,
    /// so two administrators removing each other at once cannot both succeed).
    /// </summary>
    public async Task DeleteAsync(string username, Caller caller, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Username == username, ct)
            ?? throw TesseraException.NotFound($"User '{username}'");
        if (user.Id == caller.UserId)
        {
            throw TesseraException.Conflict("You cannot remove yourself; another administrator can.");
        }
        var id = user.Id;
        // Every project keeps an owner (as removing a member does): projects only this user owns are named, not orphaned.
        var sole = await db.ProjectMembers.AsNoTracking()
            .Where(m => m.UserId == id && m.Role == ProjectRole.Owner
                && !db.ProjectMembers.Any(o => o.ProjectId == m.ProjectId && o.Role == ProjectRole.Owner && o.UserId != id))
            .Join(db.Projects, m => m.ProjectId, p => p.Id, (_, p) => p.Slug).OrderBy(slug => slug).Take(20).ToListAsync(ct);
        if (sole.Count > 0)
        {
            throw TesseraException.Conflict(
                $"'{username}' is the only owner of {string.Join(", ", sole)}: make someone else an owner (or delete the project) first.");
        }
        var removed = await db.Users
            .Where(u => u.Id == id && (!u.IsAdmin || db.Users.Any(o => o.Id != id && o.IsAdmin && !o.IsDisabled)))
            .ExecuteDeleteAsync(ct);
        if (removed == 0)
        {
            throw await db.Users.AnyAsync(u => u.Id == id, ct)
                ? TesseraException.Conflict($"'{username}' is the last active administrator; make someone else one first.")
                : TesseraException.NotFound($"User '{username}'");
        }
    }

    /// <summary>A new random password of 16 letters and digits (about 95 bits), for an administrator to hand over.</summary>
    public static string GeneratePassword() =>
        System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", 16);

    public Task<bool> AnyAsync(CancellationToken ct) => db.Users.AnyAsync(ct);

    /// <summary>Refuses a password too short to set (callers check first when more of a change is to be saved).</summary>
    public static void CheckPassword(string password)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinimumPasswordLength)
        {
            throw TesseraException.Invalid($"A password needs at least {MinimumPasswordLength} characters.");
        }
    }
}
