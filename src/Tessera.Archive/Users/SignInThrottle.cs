using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Tessera.Archive.Users;

/// <summary>
/// Counts failed password checks per account and per client address, and holds either back once it
/// passes its limit: every further failure doubles the hold (up to <see cref="SignInOptions.MaxLockout"/>),
/// and a held-back check is refused without looking at the password. A success forgets the account's
/// failures (not the address's). State lives on this node; entries expire with their window.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInOptions> options, TimeProvider clock)
{
    /// <summary>Tracked keys before stale ones are swept (an attacker cycling names must not grow memory without end).</summary>
    private const int SweepAbove = 50_000;

    /// <summary>The address of callers without one (the API's Unix socket: tools and local accounts), counted together.</summary>
    private const string Local = "local";

    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    /// <summary>How long the account or the address is still held back, or null when neither is.</summary>
    public TimeSpan? HeldBack(string username, string? address)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = new[] { Key("user", username), Key("addr", address ?? Local) }
            .Select(k => k is not null && _counters.TryGetValue(k, out var c) ? c.LockedUntil : DateTime.MinValue).Max();
        return until > now ? until - now : null;
    }

    public void Failed(string username, string? address)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        Count(Key("user", username)!, settings.MaxFailuresPerAccount, now);
        Count(Key("addr", address ?? Local)!, settings.MaxFailuresPerAddress, now);
        if (_counters.Count > SweepAbove)
            Sweep(now);
    }

    public void Succeeded(string username) => _counters.TryRemove(Key("user", username)!, out _);

    private void Count(string key, int limit, DateTime now)
    {
        var settings = options.Value;
        _counters.AddOrUpdate(key,
            _ => Next(new Counter(0, now, DateTime.MinValue)),
            (_, old) => Next(now - old.Since > settings.Window && old.LockedUntil <= now ? new Counter(0, now, DateTime.MinValue) : old));

        Counter Next(Counter c)
        {
            var failures = c.Failures + 1;
            if (failures < limit)
                return c with { Failures = failures };
            var doublings = Math.Min(failures - limit, 30);
            var hold = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, doublings), settings.MaxLockout.TotalSeconds));
            return new Counter(failures, c.Since, now + hold);
        }
    }

    private void Sweep(DateTime now)
    {
        var window = options.Value.Window;
        foreach (var (key, counter) in _counters)
        {
            if (now - counter.Since > window && counter.LockedUntil <= now)
                _counters.TryRemove(key, out _);
        }
    }

    private static string? Key(string kind, string? value) => string.IsNullOrEmpty(value) ? null : $"{kind}:{value.ToLowerInvariant()}";

    private sealed record Counter(int Failures, DateTime Since, DateTime LockedUntil);
}
