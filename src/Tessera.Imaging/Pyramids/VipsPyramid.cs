using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Tessera.Imaging.Pyramids;

/// <summary>
/// Builds a tiled, pyramidal JPEG BigTIFF from any image libvips reads (PNG, JPEG, flat TIFF), with libvips' own
/// <c>vips tiffsave --pyramid</c> in a child process: memory stays flat however large the image (libvips streams
/// it), a crash in the library (Debian's 8.14 can fault on a bad file mid-save) takes down only that process, and
/// a cancelled build is killed outright. Progress comes from its <c>--vips-progress</c> lines.
/// </summary>
public static partial class VipsPyramid
{
    public const int TileSize = 256;

    /// <summary>Writes the pyramid of <paramref name="input"/> to <paramref name="output"/>, reporting whole percents.</summary>
    /// <exception cref="ImageException">libvips is missing, refused the image, or died.</exception>
    public static async Task BuildAsync(string vips, string input, string output, int quality, IProgress<int>? progress, CancellationToken ct)
    {
        var start = new ProcessStartInfo(vips)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // fail_on=truncated: a damaged file fails the build rather than becoming a pyramid with black where data is missing.
        foreach (var argument in (string[])["tiffsave", $"{input}[fail_on=truncated]", output, "--tile", "--pyramid", "--compression", "jpeg",
            "--Q", quality.ToString(CultureInfo.InvariantCulture), "--tile-width", $"{TileSize}", "--tile-height", $"{TileSize}", "--bigtiff", "--vips-progress"])
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("not started");
        }
        catch (Win32Exception e)
        {
            throw new ImageException(ImageErrorKind.MissingLibrary, $"the '{vips}' command of libvips cannot be run ({e.Message}); install it with: apt-get install libvips-tools", e);
        }
        using (process)
        {
            try
            {
                // A background task: tiles being served come first.
                process.PriorityClass = ProcessPriorityClass.BelowNormal;
            }
            catch (Exception e) when (e is InvalidOperationException or Win32Exception)
            {
                // it has already ended, or may not be lowered here: it runs as it is
            }
            var errors = TailAsync(process.StandardError);
            var reading = ReadProgressAsync(process.StandardOutput, progress);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            await reading;
            var message = LastLine(await errors);
            if (process.ExitCode != 0)
            {
                throw process.ExitCode > 128
                    ? ImageException.Malformed($"libvips died (signal {process.ExitCode - 128}) building the pyramid; the file is likely damaged or truncated{(message.Length > 0 ? $" ({message})" : "")}")
                    : ImageException.Malformed($"libvips cannot build the pyramid: {(message.Length > 0 ? message : $"exit code {process.ExitCode}")}");
            }
        }
    }

    /// <summary>libvips rewrites one line with carriage returns: "vips temp-2: 42% complete".</summary>
    private static async Task ReadProgressAsync(StreamReader output, IProgress<int>? progress)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        var best = -1;
        int read;
        while ((read = await output.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] is not ('\r' or '\n'))
                {
                    line.Append(buffer[i]);
                    continue;
                }
                if (Percent().Match(line.ToString()) is { Success: true } match && int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) is var percent && percent > best)
                {
                    best = percent;
                    progress?.Report(Math.Min(99, percent));
                }
                line.Clear();
            }
        }
    }

    /// <summary>The last few kilobytes of what libvips says (it can warn once per tile of a damaged file).</summary>
    private static async Task<string> TailAsync(StreamReader errors)
    {
        const int keep = 8192;
        var tail = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await errors.ReadAsync(buffer)) > 0)
        {
            tail.Append(buffer, 0, read);
            if (tail.Length > 2 * keep)
                tail.Remove(0, tail.Length - keep);
        }
        return tail.ToString();
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = lines.Length == 0 ? "" : LogPrefix().Replace(lines[^1], "");
        return last.Length > 500 ? last[..500] : last;
    }

    /// <summary>GLib's "(vips:1234): VIPS-WARNING **: 14:26:07.554: " before each message.</summary>
    [GeneratedRegex(@"^\(vips:\d+\): [A-Za-z-]+ \*\*: [\d:.]+: ")]
    private static partial Regex LogPrefix();

    [GeneratedRegex(@"(\d{1,3})% complete")]
    private static partial Regex Percent();
}
