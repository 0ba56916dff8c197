using System.Text;
using System.Text.Json;
using Tessera.Archive;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>An output file as an invocation names it: its path relative to the job's workspace.</summary>
public sealed record ResolvedOutput(string Id, string Name, string Path, bool Optional);

/// <summary>
/// An invocation of a descriptor: the job's inputs checked against the descriptor (types,
/// constraints, requirements, groups), the command line they give and the output files they name.
/// Values reach the command line shell-quoted for where they stand, in one pass over its template,
/// so an input cannot add commands of its own.
/// </summary>
public sealed record Invocation(string CommandLine, IReadOnlyDictionary<string, JsonElement> Values, IReadOnlyList<ResolvedOutput> Outputs)
{
    public static Invocation Resolve(BoutiquesDescriptor d, JsonElement? given)
    {
        ArgumentNullException.ThrowIfNull(d);
        var problems = new List<string>();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (given is { } g && g.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
            throw TesseraException.Invalid("inputs must be a JSON object of input id to value.");
        var supplied = given is { ValueKind: JsonValueKind.Object } o ? o.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal) : [];
        foreach (var unknown in supplied.Keys.Where(k => d.Inputs.All(i => i.Id != k)))
            problems.Add($"'{unknown}' is not an input of {d.Name} (its inputs: {string.Join(", ", d.Inputs.Select(i => i.Id))}).");
        foreach (var input in d.Inputs)
        {
            if (!supplied.TryGetValue(input.Id, out var value) || value.ValueKind == JsonValueKind.Null)
                value = input.DefaultValue ?? default;
            if (value.ValueKind == JsonValueKind.Undefined)
            {
                if (!input.Optional && input.Type != "Flag")
                    problems.Add($"Input '{input.Id}' ({input.Name}) is required.");
                continue;
            }
            if (InvocationValues.Check(input, value) is { } error)
                problems.Add($"Input '{input.Id}': {error}");
            else if (input.Type == "File" && Items(value).FirstOrDefault(v => !IsInside(InvocationValues.Text(v), "")) is { ValueKind: not JsonValueKind.Undefined } outside)
                problems.Add($"Input '{input.Id}': '{InvocationValues.Text(outside)}' is not a path inside the job's workspace (e.g. input/scans/1/NIFTI/t1.nii.gz).");
            else if (input.Type != "Flag" || value.ValueKind == JsonValueKind.True)
                values[input.Id] = value;
        }
        CheckRelations(d, values.Keys.ToHashSet(StringComparer.Ordinal), problems);
        if (problems.Count > 0)
            throw TesseraException.Invalid($"The inputs do not suit {d.Name}@{d.ToolVersion}.", problems);

        var outputs = new List<ResolvedOutput>();
        foreach (var output in d.Outputs)
        {
            var path = OutputPath(d, output, values);
            if (!IsInside(path, "output/"))
                problems.Add($"Output '{output.Id}' would be '{path}', outside output/ (an input's value leads it out).");
            outputs.Add(new ResolvedOutput(output.Id, output.Name, Normalize(path), output.Optional));
        }
        if (problems.Count > 0)
            throw TesseraException.Invalid($"The inputs do not suit {d.Name}@{d.ToolVersion}.", problems);

        var paths = new Dictionary<BoutiquesOutput, string>(ReferenceEqualityComparer.Instance);
        foreach (var (output, resolved) in d.Outputs.Zip(outputs))
            paths[output] = resolved.Path;
        var command = CommandLineTemplate.Fill(d,
            input => values.TryGetValue(input.Id, out var v) ? Texts(input, v) : null,
            output => paths[output], problems);
        if (problems.Count > 0)
            throw TesseraException.Invalid($"The command line of {d.Name}@{d.ToolVersion} cannot be written for these inputs.", problems);
        // Linux's limit on one argument (MAX_ARG_STRLEN): the whole line is the shell's -c argument.
        var bytes = Encoding.UTF8.GetByteCount(command);
        if (bytes >= MaxCommandLineBytes)
            throw TesseraException.Invalid($"The command line would be {bytes} bytes long; a shell takes at most {MaxCommandLineBytes - 1} in one argument.");
        return new Invocation(command, values, outputs);
    }

    /// <summary>The longest command line (in UTF-8 bytes, with its terminating NUL) that a shell can be given.</summary>
    public const int MaxCommandLineBytes = 128 * 1024;

    private static void CheckRelations(BoutiquesDescriptor d, HashSet<string> active, List<string> problems)
    {
        foreach (var input in d.Inputs.Where(i => active.Contains(i.Id)))
        {
            foreach (var needed in input.RequiresInputs.Where(r => !active.Contains(r)))
                problems.Add($"Input '{input.Id}' requires '{needed}'.");
            foreach (var disabled in input.DisablesInputs.Where(active.Contains))
                problems.Add($"Input '{input.Id}' cannot be given together with '{disabled}'.");
        }
        foreach (var group in d.Groups)
        {
            var given = group.Members.Count(active.Contains);
            if (group.MutuallyExclusive && given > 1)
                problems.Add($"Only one of {string.Join(", ", group.Members)} may be given (group '{group.Id}').");
            if (group.OneIsRequired && given == 0)
                problems.Add($"One of {string.Join(", ", group.Members)} is required (group '{group.Id}').");
            if (group.AllOrNone && given != 0 && given != group.Members.Count)
                problems.Add($"Either all or none of {string.Join(", ", group.Members)} are given (group '{group.Id}').");
        }
    }

    /// <summary>An input's values as the command line takes them (none for a Flag: its flag says it).</summary>
    private static List<string> Texts(BoutiquesInput input, JsonElement value) =>
        input.Type == "Flag" ? [] : Items(value).Select(InvocationValues.Text).ToList();

    private static string OutputPath(BoutiquesDescriptor d, BoutiquesOutput output, Dictionary<string, JsonElement> values)
    {
        var inputs = d.Inputs.Where(i => !string.IsNullOrEmpty(i.ValueKey)).GroupBy(i => i.ValueKey!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return new ValueKeyTemplate(inputs.Keys).Resolve(output.PathTemplate!, key =>
        {
            var input = inputs[key];
            var text = values.TryGetValue(input.Id, out var v) ? string.Join(" ", Items(v).Select(InvocationValues.Text)) : "";
            // As Boutiques does: a file's value is its name, and the listed extensions come off the end.
            if (input.Type == "File")
                text = Path.GetFileName(text);
            foreach (var extension in output.StrippedExtensions)
            {
                if (text.EndsWith(extension, StringComparison.Ordinal))
                    text = text[..^extension.Length];
            }
            return text;
        });
    }

    private static List<JsonElement> Items(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray()] : [value];

    private static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
        return string.Join('/', parts);
    }

    /// <summary>Whether a relative path stays inside <paramref name="folder"/> of the workspace ("" for the workspace itself).</summary>
    private static bool IsInside(string path, string folder)
    {
        if (path.Length == 0 || path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal))
            return false;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p == ".."))
            return false;
        var normal = Normalize(path);
        return folder.Length == 0 ? normal.Length > 0 : normal.StartsWith(folder, StringComparison.Ordinal) && normal.Length > folder.Length;
    }
}
