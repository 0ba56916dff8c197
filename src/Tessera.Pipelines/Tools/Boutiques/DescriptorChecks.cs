using System.Buffers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// What the Boutiques schema cannot say and a descriptor must still get right before anything runs
/// it: unique ids, value-keys that the command line uses where a value can be quoted, references that
/// exist, output paths that resolve inside the job's <c>output/</c> folder, consistent constraints on
/// inputs, flags and separators without shell operators, no NUL, and environment variable names.
/// </summary>
public static partial class DescriptorChecks
{
    private static readonly SearchValues<char> s_shellOperators = SearchValues.Create(";&|<>()$`\\\n\r");

    public static void Check(BoutiquesDescriptor d, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(d);
        ArgumentNullException.ThrowIfNull(problems);
        var ids = d.Inputs.Select(i => i.Id).Concat(d.Outputs.Select(o => o.Id)).Concat(d.Groups.Select(g => g.Id));
        foreach (var id in ids.GroupBy(i => i, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"The id '{id.Key}' is used {id.Count()} times; ids of inputs, outputs and groups must be unique.");

        var valueKeys = d.Inputs.Select(i => (i.Id, Key: i.ValueKey)).Concat(d.Outputs.Select(o => (o.Id, Key: o.ValueKey)))
            .Where(x => !string.IsNullOrEmpty(x.Key)).ToList();
        foreach (var key in valueKeys.GroupBy(x => x.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"The value-key '{key.Key}' belongs to {string.Join(", ", key.Select(x => x.Id))}; each may have only one owner.");
        foreach (var (id, key) in valueKeys)
        {
            if (!d.CommandLine.Contains(key!, StringComparison.Ordinal))
                problems.Add($"'{id}' has the value-key '{key}', which the command line does not contain.");
        }
        var declared = valueKeys.Select(x => x.Key!).ToHashSet(StringComparer.Ordinal);
        foreach (var used in ValueKey().Matches(d.CommandLine).Select(m => m.Value).Distinct(StringComparer.Ordinal))
        {
            if (!declared.Contains(used))
                problems.Add($"The command line uses '{used}', which is the value-key of no input or output.");
        }

        // Every value-key where a value can be quoted: filled in with every input given.
        CommandLineTemplate.Fill(d, i => i.Type == "Flag" ? [] : i.List ? ["x", "y"] : ["x"], _ => "output/x", problems);
        CheckText(d, problems);
        CheckExecution(d, problems);

        var inputs = d.Inputs.GroupBy(i => i.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var input in d.Inputs)
            CheckInput(input, inputs, problems);
        foreach (var output in d.Outputs)
            CheckOutput(output, d.Inputs, problems);
        foreach (var group in d.Groups)
        {
            foreach (var member in group.Members.Where(m => !inputs.ContainsKey(m)))
                problems.Add($"Group '{group.Id}' lists '{member}', which is not an input.");
            if ((group.MutuallyExclusive || group.OneIsRequired) && group.Members.Any(m => inputs.TryGetValue(m, out var i) && !i.Optional))
                problems.Add($"Group '{group.Id}' is mutually exclusive or one-is-required, so its members must be optional.");
            if (group.MutuallyExclusive && group.AllOrNone)
                problems.Add($"Group '{group.Id}' cannot be both mutually exclusive and all-or-none.");
        }
        var exclusive = d.Groups.Where(g => g.MutuallyExclusive).SelectMany(g => g.Members).ToHashSet(StringComparer.Ordinal);
        foreach (var both in d.Groups.Where(g => g.AllOrNone).SelectMany(g => g.Members).Where(exclusive.Contains).Distinct(StringComparer.Ordinal))
            problems.Add($"Input '{both}' is in a mutually exclusive group and in an all-or-none group, which cannot both hold.");
    }

    private static void CheckInput(BoutiquesInput input, Dictionary<string, BoutiquesInput> inputs, List<string> problems)
    {
        var name = $"Input '{input.Id}'";
        foreach (var other in input.RequiresInputs.Concat(input.DisablesInputs).Where(o => !inputs.ContainsKey(o)))
            problems.Add($"{name} refers to '{other}', which is not an input.");
        if (input.RequiresInputs.Intersect(input.DisablesInputs, StringComparer.Ordinal).Any())
            problems.Add($"{name} both requires and disables the same input.");
        if (input.Type == "Flag")
        {
            if (string.IsNullOrEmpty(input.Flag))
                problems.Add($"{name} is a Flag, so it needs a command-line-flag.");
            if (input.List)
                problems.Add($"{name} is a Flag, which cannot be a list.");
            if (input.DefaultValue is { } f && f.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                problems.Add($"{name} is a Flag; its default-value must be true or false.");
        }
        if (input.Type != "Number" && (input.Minimum is not null || input.Maximum is not null || input.WholeNumber))
            problems.Add($"{name} has numeric constraints but is of type {input.Type}.");
        if (input.Minimum is { } min && input.Maximum is { } max && min > max)
            problems.Add($"{name} has a minimum ({min}) above its maximum ({max}).");
        if (!input.List && (input.MinListEntries is not null || input.MaxListEntries is not null))
            problems.Add($"{name} has list-entry limits but is not a list.");
        if (input.MinListEntries is { } lo && input.MaxListEntries is { } hi && lo > hi)
            problems.Add($"{name} has min-list-entries ({lo}) above max-list-entries ({hi}).");
        if (input.Choices is { } choices && input.Type is "Flag" or "File")
            problems.Add($"{name} is of type {input.Type}, which cannot have value-choices.");
        if (input.DefaultValue is { } value && input.Type is "String" or "Number" or "File")
        {
            var error = InvocationValues.Check(input, value);
            if (error is not null)
                problems.Add($"{name}'s default-value: {error}");
        }
    }

    private static void CheckOutput(BoutiquesOutput output, IReadOnlyList<BoutiquesInput> inputs, List<string> problems)
    {
        var name = $"Output '{output.Id}'";
        if (string.IsNullOrEmpty(output.PathTemplate))
        {
            problems.Add($"{name} has no path-template (Tessera needs one to know which file it is).");
            return;
        }
        var template = output.PathTemplate;
        foreach (var used in ValueKey().Matches(template).Select(m => m.Value))
        {
            var input = inputs.FirstOrDefault(i => i.ValueKey == used);
            if (input is null)
                problems.Add($"{name}'s path-template uses '{used}', which is the value-key of no input.");
            else if (input.Type == "Flag")
                problems.Add($"{name}'s path-template uses '{used}', the value-key of a Flag.");
        }
        // What the template is before any value is put in must already lie inside output/.
        var relative = template.StartsWith("./", StringComparison.Ordinal) ? template[2..] : template;
        if (!relative.StartsWith("output/", StringComparison.Ordinal) || template.Split('/').Contains(".."))
            problems.Add($"{name}'s path-template '{template}' must lie inside output/ (e.g. output/report.csv): a job stores what its tool writes there.");
    }

    /// <summary>
    /// The descriptor's own text that reaches a command line, a path or an environment: no NUL (a C
    /// string would end there), and environment variable names that a shell and an env-file can carry.
    /// </summary>
    private static void CheckText(BoutiquesDescriptor d, List<string> problems)
    {
        var texts = new List<(string Where, string? Text)> { ("command-line", d.CommandLine), ("shell", d.Shell) };
        foreach (var i in d.Inputs)
        {
            texts.AddRange([($"input '{i.Id}' value-key", i.ValueKey), ($"input '{i.Id}' command-line-flag", i.Flag),
                ($"input '{i.Id}' command-line-flag-separator", i.FlagSeparator), ($"input '{i.Id}' list-separator", i.ListSeparator)]);
        }
        foreach (var o in d.Outputs)
        {
            texts.AddRange([($"output '{o.Id}' value-key", o.ValueKey), ($"output '{o.Id}' path-template", o.PathTemplate),
                ($"output '{o.Id}' command-line-flag", o.Flag), ($"output '{o.Id}' command-line-flag-separator", o.FlagSeparator)]);
        }
        texts.AddRange(d.Environment.Select(e => ($"environment variable '{e.Name}'", (string?)e.Value)));
        foreach (var (where, text) in texts.Where(t => t.Text?.Contains('\0', StringComparison.Ordinal) == true))
            problems.Add($"The {where} holds a NUL character (\\u0000), which no command line, path or environment can carry.");
        // A flag or separator is written as shell syntax next to the values: quotes in it are followed
        // (ShellCommandLine), but these would make the values around it commands or expansions.
        foreach (var (where, text) in texts.Where(t => t.Where.EndsWith("flag", StringComparison.Ordinal) || t.Where.EndsWith("separator", StringComparison.Ordinal)))
        {
            if (text is not null && text.AsSpan().ContainsAny(s_shellOperators))
                problems.Add($"The {where} '{text}' holds shell syntax (one of ; & | < > ( ) $ ` \\ or a line break), which would make the values next to it commands or expansions.");
        }
        foreach (var variable in d.Environment.Where(e => !Executors.ToolEnvironment.IsSettable(e.Name)))
            problems.Add($"The environment variable name '{variable.Name}' is not a name a shell can set (letters, digits and '_', not starting with a digit, not one a shell keeps read-only).");
    }

    /// <summary>The longest image reference taken (the tools table's column).</summary>
    public const int MaxImageLength = 512;

    /// <summary>
    /// What reaches the argv of podman, docker, sbatch or the sandbox from the descriptor: the shell (an
    /// absolute path), the container image (an image reference, never an option: <c>"--rootfs"</c> made podman
    /// take the shell for a root file system) and the suggested resources (positive, bounded).
    /// </summary>
    private static void CheckExecution(BoutiquesDescriptor d, List<string> problems)
    {
        if (d.Shell is { } shell && !ShellPath().IsMatch(shell))
            problems.Add($"The shell '{shell}' must be an absolute path of a program (letters, digits, '.', '_', '+', '-' between '/'; e.g. /bin/bash).");
        if (d.Container?.Image is { } image)
        {
            var docker = d.Container.Type is null or "docker";
            if (image.Length > MaxImageLength || !(docker ? ImageReference() : ImageLocation()).IsMatch(image))
            {
                problems.Add($"The container image '{Printable(image)}' is not an image reference (registry/name:tag@digest, lower-case name" +
                    $"{(docker ? "" : ", or scheme:// before it")}, at most {MaxImageLength} characters, never starting with '-').");
            }
        }
        if (d.Resources is { } r)
        {
            if (r.CpuCores is { } cpus && cpus is < 1 or > 4096)
                problems.Add($"suggested-resources.cpu-cores ({cpus}) must be from 1 to 4096.");
            if (r.Ram is { } ram && (double.IsNaN(ram) || ram is <= 0 or > 65536))
                problems.Add($"suggested-resources.ram ({ram} GB) must be above 0 and at most 65536.");
            if (r.Walltime is { } walltime && (double.IsNaN(walltime) || walltime is <= 0 or > 366 * 24 * 3600))
                problems.Add($"suggested-resources.walltime-estimate ({walltime} s) must be above 0 and at most a year.");
        }
    }

    private static string Printable(string text) =>
        string.Concat(text.Take(80).Select(c => char.IsControl(c) ? '?' : c)) + (text.Length > 80 ? "…" : "");

    [GeneratedRegex(@"\[[A-Z0-9_]+\]")]
    private static partial Regex ValueKey();

    [GeneratedRegex(@"^(?=.{2,256}\z)(?:/[A-Za-z0-9._+-]+)+\z")]
    private static partial Regex ShellPath();

    // The distribution reference grammar: [domain[:port]/]path-component[/path-component]*[:tag][@algorithm:hex].
    private const string Reference =
        @"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]{1,5})?/)?" +
        @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*" +
        @"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?" +
        @"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?";

    [GeneratedRegex("^" + Reference + @"\z")]
    private static partial Regex ImageReference();

    /// <summary>A Singularity image: a reference, after a scheme (docker://, shub://, library://) or not.</summary>
    [GeneratedRegex("^(?:[a-z][a-z0-9+.-]*://)?" + Reference + @"\z")]
    private static partial Regex ImageLocation();
}
