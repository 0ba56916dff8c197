using System.Globalization;
using System.Text.Json;
using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tests;

/// <summary>
/// The words a tool is to be given, by Boutiques' rules (flag, flag separator, values between list
/// separators) and the shell's word splitting, worked out apart from the code under test.
/// </summary>
public static class BoutiquesWords
{
    /// <summary>A flag, its separator and the values, each marked as the descriptor's syntax or a value.</summary>
    public static List<(string Text, bool Syntax)> Pieces(string? flag, string? flagSeparator, IReadOnlyList<string> values, string? listSeparator)
    {
        var pieces = new List<(string Text, bool Syntax)>();
        if (!string.IsNullOrEmpty(flag))
            pieces.AddRange([(flag, true), (flagSeparator ?? " ", true)]);
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
                pieces.Add((listSeparator ?? " ", true));
            pieces.Add((values[i], false));
        }
        return pieces;
    }

    /// <summary>Words as the shell splits bare pieces: at a separator that is a space, never inside a value.</summary>
    public static List<string> Bare(IEnumerable<(string Text, bool Syntax)> pieces)
    {
        var words = new List<string>();
        string? word = null;
        foreach (var (text, syntax) in pieces)
        {
            if (syntax && text == " ")
            {
                if (word is not null)
                    words.Add(word);
                word = null;
            }
            else
            {
                word = (word ?? "") + text;
            }
        }
        if (word is not null)
            words.Add(word);
        return words;
    }

    /// <summary>
    /// The words of a command-line template made of space-separated words and bare value-keys (as
    /// most Boutiques descriptors are), for the values and output paths of <paramref name="invocation"/>.
    /// </summary>
    public static List<string> OfBareTemplate(BoutiquesDescriptor d, Invocation invocation)
    {
        var inputs = d.Inputs.Where(i => !string.IsNullOrEmpty(i.ValueKey)).ToDictionary(i => i.ValueKey!, StringComparer.Ordinal);
        var outputs = d.Outputs.Zip(invocation.Outputs).Where(x => !string.IsNullOrEmpty(x.First.ValueKey))
            .ToDictionary(x => x.First.ValueKey!, x => (x.First, x.Second.Path), StringComparer.Ordinal);
        var words = new List<string>();
        foreach (var token in d.CommandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (inputs.TryGetValue(token, out var input))
            {
                if (invocation.Values.TryGetValue(input.Id, out var value))
                    words.AddRange(input.Type == "Flag" ? [input.Flag!] : Bare(Pieces(input.Flag, input.FlagSeparator, Texts(value), input.ListSeparator)));
            }
            else if (outputs.TryGetValue(token, out var output))
            {
                words.AddRange(Bare(Pieces(output.First.Flag, output.First.FlagSeparator, [output.Path], null)));
            }
            else
            {
                words.Add(token);
            }
        }
        return words;
    }

    private static List<string> Texts(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(Text).ToList() : [Text(value)];

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetDouble().ToString(CultureInfo.InvariantCulture)
        : value.GetString()!;
}
