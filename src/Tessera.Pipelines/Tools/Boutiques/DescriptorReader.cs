using System.Reflection;
using System.Text.Json;
using NJsonSchema;
using NJsonSchema.Validation;
using Tessera.Archive;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// Reads a Boutiques descriptor: JSON, then the Boutiques schema, then the checks the schema cannot
/// express (<see cref="DescriptorChecks"/>). Every problem found is reported at once.
/// </summary>
public static partial class DescriptorReader
{
    private static readonly JsonSerializerOptions s_json = new() { AllowTrailingCommas = false };
    private static readonly Lazy<Task<JsonSchema>> s_schema = new(LoadSchemaAsync);

    public const string NamePrefix = "tessera:";

    /// <summary>The executors a tool may ask for (whether this site has them is checked when a job is submitted).</summary>
    public static readonly IReadOnlyList<string> ExecutorNames = ["local", "slurm", "container"];

    /// <summary>The definition the descriptor gives, or <see cref="ErrorKind.Invalid"/> with every problem.</summary>
    public static async Task<ToolDefinition> ReadAsync(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var _ = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw TesseraException.Invalid($"The descriptor is not JSON: {e.Message}");
        }
        var violations = await SchemaProblemsAsync(json);
        if (violations.Count > 0)
        {
            throw TesseraException.Invalid("The descriptor does not follow the Boutiques schema.", violations);
        }
        var descriptor = JsonSerializer.Deserialize<BoutiquesDescriptor>(json, s_json)
                         ?? throw TesseraException.Invalid("The descriptor is empty.");
        var problems = new List<string>();
        var definition = ReadCustom(descriptor, problems);
        DescriptorChecks.Check(descriptor, problems);
        if (problems.Count > 0)
        {
            throw TesseraException.Invalid($"The descriptor of '{descriptor.Name}' has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}.", problems);
        }
        return definition;
    }

    /// <summary>Where a JSON text departs from the Boutiques descriptor schema, one line each; none when it follows it.</summary>
    public static async Task<IReadOnlyList<string>> SchemaProblemsAsync(string json)
    {
        var schema = await s_schema.Value;
        return Flatten(schema.Validate(json))
            .Select(v => $"{(string.IsNullOrEmpty(v.Path) ? "#" : v.Path)}: {v.Kind}{(v.Property is null ? "" : $" ({v.Property})")}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>An item of a list that is not valid says so with the errors inside it: those are what a user can act on.</summary>
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError { Errors.Count: > 0 } child
            ? Flatten(child.Errors.SelectMany(kv => kv.Value))
            : [e]);

    private static ToolDefinition ReadCustom(BoutiquesDescriptor d, List<string> problems)
    {
        var custom = d.Custom is { ValueKind: JsonValueKind.Object } c ? c : default;
        string? Text(string key) =>
            custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty(NamePrefix + key, out var v)
                ? v.ValueKind == JsonValueKind.String ? v.GetString() : Problem<string>($"custom.{NamePrefix}{key} must be a string.")
                : null;
        int? Number(string key, int min, int max)
        {
            if (custom.ValueKind != JsonValueKind.Object || !custom.TryGetProperty(NamePrefix + key, out var v))
                return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= min && n <= max)
                return n;
            return Problem<int?>($"custom.{NamePrefix}{key} must be a whole number from {min} to {max}.");
        }
        T? Problem<T>(string text)
        {
            problems.Add(text);
            return default;
        }

        var name = Text("name") ?? d.Name;
        if (!ToolNames.IsValid(name))
        {
            problems.Add($"The tool's name '{name}' cannot be its id in Tessera (name@version: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit); " +
                         $"give one in custom.{NamePrefix}name.");
        }
        if (!ToolNames.IsValid(d.ToolVersion))
        {
            problems.Add($"The tool-version '{d.ToolVersion}' cannot be part of its id (1 to 64 letters, digits, '.', '_' or '-').");
        }
        var patterns = new List<string>();
        if (custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty(NamePrefix + "inputs", out var globs))
        {
            if (globs.ValueKind == JsonValueKind.Array && globs.EnumerateArray().All(g => g.ValueKind == JsonValueKind.String && g.GetString()!.Length > 0))
                patterns.AddRange(globs.EnumerateArray().Select(g => g.GetString()!));
            else
                problems.Add($"custom.{NamePrefix}inputs must be a list of file patterns (e.g. [\"**/*.dcm\"]).");
        }
        var executor = Text("executor");
        if (executor is not null && !ExecutorNames.Contains(executor))
            problems.Add($"custom.{NamePrefix}executor must be one of {string.Join(", ", ExecutorNames)}.");
        var partition = Text("partition");
        if (partition is not null && !SlurmPartition().IsMatch(partition))
            problems.Add($"custom.{NamePrefix}partition must be Slurm partition names (letters, digits, '_', '.', '-', separated by ',', not starting with '-').");
        return new ToolDefinition(d, name, d.ToolVersion, Text("assessmentType"), patterns,
            Number("timeout", 1, 30 * 24 * 3600), Number("maxAttempts", 1, 100), Number("retryDelay", 0, 24 * 3600))
        {
            Executor = executor,
            Partition = partition,
        };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}(?:,[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}){0,15}\z")]
    private static partial System.Text.RegularExpressions.Regex SlurmPartition();

    private static async Task<JsonSchema> LoadSchemaAsync()
    {
        await using var stream = typeof(DescriptorReader).Assembly.GetManifestResourceStream("boutiques.descriptor.schema.json")
                                 ?? throw new InvalidOperationException("The Boutiques schema is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync());
    }
}
