using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tools;

/// <summary>
/// A checked descriptor and what Tessera reads from its <c>custom</c> object (keys prefixed
/// <c>tessera:</c>): the assessment type its results fill in, the archive files it wants staged,
/// its run policy and where it runs.
/// </summary>
public sealed record ToolDefinition(
    BoutiquesDescriptor Descriptor,
    string Name,
    string Version,
    string? AssessmentType,
    IReadOnlyList<string> InputPatterns,
    int? TimeoutSeconds,
    int? MaxAttempts,
    int? RetryDelaySeconds)
{
    /// <summary>The executor the tool asks for (<c>tessera:executor</c>), over the project's and the site's default.</summary>
    public string? Executor { get; init; }

    /// <summary>The Slurm partition the tool asks for (<c>tessera:partition</c>).</summary>
    public string? Partition { get; init; }

    public string Key => $"{Name}@{Version}";
}
