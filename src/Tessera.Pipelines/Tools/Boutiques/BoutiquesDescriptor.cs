using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Pipelines.Tools.Boutiques;

/// <summary>
/// The parts of a Boutiques descriptor (schema 0.5) that Tessera acts on. The descriptor as
/// registered is kept whole; this is its reading.
/// </summary>
public sealed record BoutiquesDescriptor
{
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("tool-version")] public required string ToolVersion { get; init; }
    [JsonPropertyName("description")] public string? Description { get; init; }
    [JsonPropertyName("command-line")] public required string CommandLine { get; init; }
    [JsonPropertyName("shell")] public string? Shell { get; init; }
    [JsonPropertyName("inputs")] public IReadOnlyList<BoutiquesInput> Inputs { get; init; } = [];
    [JsonPropertyName("output-files")] public IReadOnlyList<BoutiquesOutput> Outputs { get; init; } = [];
    [JsonPropertyName("groups")] public IReadOnlyList<BoutiquesGroup> Groups { get; init; } = [];
    [JsonPropertyName("environment-variables")] public IReadOnlyList<BoutiquesEnvironmentVariable> Environment { get; init; } = [];
    [JsonPropertyName("error-codes")] public IReadOnlyList<BoutiquesErrorCode> ErrorCodes { get; init; } = [];
    [JsonPropertyName("suggested-resources")] public BoutiquesResources? Resources { get; init; }
    [JsonPropertyName("container-image")] public BoutiquesContainer? Container { get; init; }
    [JsonPropertyName("custom")] public JsonElement? Custom { get; init; }
}

public sealed record BoutiquesInput
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    /// <summary>String, File, Flag or Number.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("value-key")] public string? ValueKey { get; init; }
    [JsonPropertyName("list")] public bool List { get; init; }
    [JsonPropertyName("list-separator")] public string? ListSeparator { get; init; }
    [JsonPropertyName("optional")] public bool Optional { get; init; }
    [JsonPropertyName("command-line-flag")] public string? Flag { get; init; }
    [JsonPropertyName("command-line-flag-separator")] public string? FlagSeparator { get; init; }
    [JsonPropertyName("default-value")] public JsonElement? DefaultValue { get; init; }
    [JsonPropertyName("value-choices")] public IReadOnlyList<JsonElement>? Choices { get; init; }
    [JsonPropertyName("requires-inputs")] public IReadOnlyList<string> RequiresInputs { get; init; } = [];
    [JsonPropertyName("disables-inputs")] public IReadOnlyList<string> DisablesInputs { get; init; } = [];
    [JsonPropertyName("integer")] public bool WholeNumber { get; init; }
    [JsonPropertyName("minimum")] public double? Minimum { get; init; }
    [JsonPropertyName("maximum")] public double? Maximum { get; init; }
    [JsonPropertyName("exclusive-minimum")] public bool ExclusiveMinimum { get; init; }
    [JsonPropertyName("exclusive-maximum")] public bool ExclusiveMaximum { get; init; }
    [JsonPropertyName("min-list-entries")] public int? MinListEntries { get; init; }
    [JsonPropertyName("max-list-entries")] public int? MaxListEntries { get; init; }
}

public sealed record BoutiquesOutput
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public required string Name { get; init; }
    [JsonPropertyName("value-key")] public string? ValueKey { get; init; }
    [JsonPropertyName("path-template")] public string? PathTemplate { get; init; }
    [JsonPropertyName("path-template-stripped-extensions")] public IReadOnlyList<string> StrippedExtensions { get; init; } = [];
    [JsonPropertyName("list")] public bool List { get; init; }
    [JsonPropertyName("optional")] public bool Optional { get; init; }
    [JsonPropertyName("command-line-flag")] public string? Flag { get; init; }
    [JsonPropertyName("command-line-flag-separator")] public string? FlagSeparator { get; init; }
}

public sealed record BoutiquesGroup
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("members")] public IReadOnlyList<string> Members { get; init; } = [];
    [JsonPropertyName("mutually-exclusive")] public bool MutuallyExclusive { get; init; }
    [JsonPropertyName("one-is-required")] public bool OneIsRequired { get; init; }
    [JsonPropertyName("all-or-none")] public bool AllOrNone { get; init; }
}

public sealed record BoutiquesEnvironmentVariable(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value);

public sealed record BoutiquesErrorCode(
    [property: JsonPropertyName("code")] int Code,
    [property: JsonPropertyName("description")] string Description);

public sealed record BoutiquesResources
{
    [JsonPropertyName("cpu-cores")] public int? CpuCores { get; init; }
    /// <summary>Gigabytes.</summary>
    [JsonPropertyName("ram")] public double? Ram { get; init; }
    /// <summary>Seconds.</summary>
    [JsonPropertyName("walltime-estimate")] public double? Walltime { get; init; }
}

public sealed record BoutiquesContainer
{
    /// <summary>docker or singularity (the schema also allows a root file system: "rootfs").</summary>
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("image")] public string? Image { get; init; }
    [JsonPropertyName("index")] public string? Index { get; init; }
    [JsonPropertyName("working-directory")] public string? WorkingDirectory { get; init; }
    [JsonPropertyName("entrypoint")] public bool Entrypoint { get; init; }
}
