using Tessera.Pipelines.Tools.Boutiques;

namespace Tessera.Pipelines.Tools;

/// <summary>
/// A checked descriptor and what Tessera reads from its <c>custom</c> object (keys prefixed
/// <c>tessera:</c>): the assessment type its results fill in, the archive files it wants staged,
/// and its run policy.
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
    public string Key => $"{Name}@{Version}";
}
