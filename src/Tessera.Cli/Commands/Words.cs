using System.Globalization;

namespace Tessera.Cli.Commands;

/// <summary>Counts and sizes as the CLI prints them: "1 file", "2 files", "12.3 MB".</summary>
internal static class Words
{
    /// <summary><paramref name="count"/> and the noun, singular for exactly one.</summary>
    public static string Count(long count, string singular, string? plural = null) =>
        $"{count.ToString("N0", CultureInfo.InvariantCulture)} {(count == 1 ? singular : plural ?? singular + "s")}";

    /// <summary>Bytes in decimal units (kB, MB, GB), one decimal from kB up.</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1000)
        {
            return $"{bytes} B";
        }
        string[] units = ["kB", "MB", "GB", "TB", "PB"];
        var value = bytes / 1000.0;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary>A duration as m:ss or h:mm:ss.</summary>
    public static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? span.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : span.ToString(@"m\:ss", CultureInfo.InvariantCulture);
}
