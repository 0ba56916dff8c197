using System.Text.Json;
using Tessera.Client;

namespace Tessera.Cli.Commands;

/// <summary>Tables as the listing commands print them: aligned columns for people, a JSON array for scripts. No colours, no box drawing.</summary>
internal static class Listing
{
    public static void Print<T>(bool json, IReadOnlyList<T> rows, string[] headers, Func<T, string[]> cells)
    {
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(rows, TesseraClient.JsonOptions));
            return;
        }
        var table = rows.Select(cells).ToList();
        var widths = headers.Select((h, i) => table.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        Console.WriteLine(Line(headers, widths));
        foreach (var row in table)
        {
            Console.WriteLine(Line(row, widths));
        }
    }

    /// <summary>An enum value as the API spells it (lower camel case).</summary>
    public static string Enum<TEnum>(TEnum value) where TEnum : struct, System.Enum =>
        JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
