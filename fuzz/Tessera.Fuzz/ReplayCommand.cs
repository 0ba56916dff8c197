using System.Diagnostics;

namespace Tessera.Fuzz;

/// <summary>
/// Runs saved inputs (AFL++'s crashes, hangs or queue, or a corpus) through a target in this process and reports
/// each one that escapes as a crash or runs too long: how a finding is reproduced, and how CI re-checks one.
/// </summary>
public static class ReplayCommand
{
    /// <summary>The same bound as fuzz/run.sh gives AFL++ (-t 5000): slower inputs are reported as hangs.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        var files = paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : [p])
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.txt")
            .Order(StringComparer.Ordinal)
            .ToList();
        int accepted = 0, refused = 0, crashed = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            var clock = Stopwatch.StartNew();
            // A thread of its own, so a hang is reported by name instead of stalling the replay.
            var run = Task.Factory.StartNew(() => target.Run(input), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (Task.WhenAny(run, Task.Delay(Timeout)).GetAwaiter().GetResult() != run)
            {
                Console.WriteLine($"HANG {file}: still running after {Timeout.TotalSeconds:0} s");
                Console.WriteLine($"replay {target.Name}: {files.Count} inputs, {accepted} accepted, {refused} refused, {crashed} crashed, 1 hung (stopped at the hang)");
                return 1;
            }
            var error = run.Exception?.InnerException;
            if (error is null)
                accepted++;
            else if (target.IsRefusal(error))
                refused++;
            else
            {
                crashed++;
                Console.WriteLine($"CRASH {file} ({input.Length} bytes, {clock.ElapsedMilliseconds} ms): {error.GetType().FullName}: {error.Message}");
                foreach (var line in (error.StackTrace ?? "").Split('\n').Take(8))
                    Console.WriteLine($"    {line.Trim()}");
            }
        }
        Console.WriteLine($"replay {target.Name}: {files.Count} inputs, {accepted} accepted, {refused} refused, {crashed} crashed, 0 hung");
        return crashed == 0 ? 0 : 1;
    }
}
