namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// Fills in a descriptor's command-line in one pass over it: each input's value-key becomes its
/// flag, flag separator and values (list items between list separators), each output's value-key
/// its flag and path. The descriptor's own text is written as the shell's syntax and every value
/// quoted for where it lands (<see cref="ShellCommandLine"/>).
/// </summary>
public static class CommandLineTemplate
{
    /// <summary>The command line for these values and output paths; what cannot be written goes to <paramref name="problems"/>.</summary>
    /// <param name="values">An input's values as text (none for a Flag that is set); null when it is not given.</param>
    /// <param name="outputPath">An output's path as the tool is to write it.</param>
    /// <param name="problems">Told of every value-key that stands where no value can be quoted.</param>
    public static string Fill(
        BoutiquesDescriptor d, Func<BoutiquesInput, IReadOnlyList<string>?> values, Func<BoutiquesOutput, string> outputPath, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(outputPath);
        ArgumentNullException.ThrowIfNull(problems);
        var inputs = d.Inputs.Where(i => !string.IsNullOrEmpty(i.ValueKey)).GroupBy(i => i.ValueKey!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var outputs = d.Outputs.Where(o => !string.IsNullOrEmpty(o.ValueKey) && !inputs.ContainsKey(o.ValueKey!))
            .GroupBy(o => o.ValueKey!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var line = new ShellCommandLine();
        foreach (var part in new ValueKeyTemplate(inputs.Keys.Concat(outputs.Keys)).Parts(d.CommandLine))
        {
            if (!part.IsKey)
            {
                line.Syntax(part.Text);
            }
            else if (inputs.TryGetValue(part.Text, out var input))
            {
                if (values(input) is { } texts)
                    WriteInput(line, input, texts, problems);
            }
            else
            {
                var output = outputs[part.Text];
                Write(line, output.Id, part.Text, output.Flag, output.FlagSeparator, [outputPath(output)], null, problems);
            }
        }
        foreach (var (name, where) in line.Finish())
        {
            var problem = $"The command line has {name} {where}, where its value cannot be quoted safely.";
            if (!problems.Contains(problem))
                problems.Add(problem);
        }
        return line.ToString();
    }

    private static void WriteInput(ShellCommandLine line, BoutiquesInput input, IReadOnlyList<string> texts, List<string> problems)
    {
        if (input.Type == "Flag")
            line.Syntax(input.Flag ?? "");
        else
            Write(line, input.Id, input.ValueKey!, input.Flag, input.FlagSeparator, texts, input.ListSeparator, problems);
    }

    private static void Write(
        ShellCommandLine line, string id, string key, string? flag, string? flagSeparator, IReadOnlyList<string> texts, string? listSeparator, List<string> problems)
    {
        if (!string.IsNullOrEmpty(flag))
            line.Syntax(flag + (flagSeparator ?? " "));
        for (var i = 0; i < texts.Count; i++)
        {
            if (i > 0)
                line.Syntax(listSeparator ?? " ");
            if (line.Unquotable is { } where)
            {
                var problem = $"The command line has '{id}' (value-key {key}) {where}, where its value cannot be quoted safely.";
                if (!problems.Contains(problem))
                    problems.Add(problem);
                return;
            }
            line.Value(texts[i], $"'{id}' (value-key {key})");
        }
    }
}
