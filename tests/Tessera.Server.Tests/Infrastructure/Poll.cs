using Shouldly;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Waits for something another process or a background task does, failing with what was awaited.</summary>
public static class Poll
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), done => done, what, timeout);

    /// <summary>Calls <paramref name="probe"/> until <paramref name="done"/> holds for its result, and returns that result.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var result = await probe();
            if (done(result))
            {
                return result;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new ShouldAssertException($"timed out waiting until {what}");
            }
            await Task.Delay(50);
        }
    }
}
