using System.Diagnostics;
using Shouldly;

namespace Tessera.Testing;

/// <summary>Debian's vips command, for making test pictures and reference crops and reductions.</summary>
public static class VipsTool
{
    public static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("vips") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        try
        {
            process.PriorityClass = ProcessPriorityClass.BelowNormal; // test pictures come after the servers' work
        }
        catch (InvalidOperationException)
        {
            // it has already ended
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = output.Result;
        process.ExitCode.ShouldBe(0, $"vips {string.Join(' ', arguments)}: {errors}");
    }

    /// <summary>A textured colour picture (three Perlin bands), so that JPEG of it is neither trivial nor flat.</summary>
    public static string Picture(string directory, string name, int width, int height, params string[] saveOptions)
    {
        for (var band = 1; band <= 3; band++)
            Run("perlin", Path.Combine(directory, $"b{band}.v"), $"{width}", $"{height}", "--cell-size", "64", "--uchar", "--seed", $"{band}");
        var rgb = Path.Combine(directory, "rgb.v");
        Run("bandjoin", string.Join(' ', Enumerable.Range(1, 3).Select(b => Path.Combine(directory, $"b{b}.v"))), rgb);
        var path = Path.Combine(directory, name);
        Run(["copy", rgb, saveOptions.Length == 0 ? path : $"{path}[{string.Join(',', saveOptions)}]"]);
        return path;
    }
}
