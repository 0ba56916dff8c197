namespace Tessera.Imaging.Tests.Bombs;

/// <summary>
/// What a piece of code costs in memory: the managed bytes the calling thread allocated, and how far the process's
/// peak resident memory rose above what it was (native allocations included: OpenJPEG's, CharLS's, libtiff's).
/// The peak is reset through /proc/self/clear_refs (Linux 4.0 and later) so that an earlier, larger peak hides nothing.
/// </summary>
internal static class AllocationProbe
{
    public sealed record Cost(long ManagedBytes, long PeakGrowthBytes);

    /// <summary>Runs <paramref name="action"/> and returns the exception it throws, with what it cost.</summary>
    public static (TException Error, Cost Cost) Throws<TException>(Action action) where TException : Exception
    {
        TException? caught = null;
        var cost = Measure(() =>
        {
            try
            {
                action();
            }
            catch (TException e)
            {
                caught = e;
            }
        });
        caught.ShouldNotBeNull($"{typeof(TException).Name} was expected");
        return (caught, cost);
    }

    public static Cost Measure(Action action)
    {
        if (!OperatingSystem.IsLinux())
            Assert.Skip("peak memory is read from /proc (Linux)");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ResetPeak();
        var start = Status("VmRSS:");
        var managed = GC.GetAllocatedBytesForCurrentThread();
        action();
        managed = GC.GetAllocatedBytesForCurrentThread() - managed;
        return new Cost(managed, Status("VmHWM:") - start);
    }

    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    /// <summary>A line of /proc/self/status in bytes ("VmHWM:    123456 kB").</summary>
    private static long Status(string key)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
