using System.ComponentModel.DataAnnotations;

namespace Tessera.Archive.Users;

/// <summary>Throttling of password sign-ins (section <c>SignIn</c>), per account and per client address, on each node.</summary>
public sealed class SignInOptions
{
    public const string SectionName = "SignIn";

    /// <summary>Failed passwords for one account within <see cref="Window"/> before it is held back.</summary>
    [Range(1, 10000)]
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed passwords from one address within <see cref="Window"/> before it is held back.</summary>
    [Range(1, 100000)]
    public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>How long failures are counted; a quiet window forgets them.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest hold: beyond the limit each further failure doubles it (1 s, 2 s, 4 s, …), up to this.</summary>
    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromMinutes(15);
}
