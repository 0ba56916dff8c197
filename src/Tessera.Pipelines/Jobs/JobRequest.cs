using System.Text.Json;

namespace Tessera.Pipelines.Jobs;

/// <summary>What a submission asks for; the run policy falls back to the tool's, then the site's.</summary>
public sealed record JobRequest(
    string Tool,
    string Target,
    JsonElement? Inputs = null,
    int? TimeoutSeconds = null,
    int? MaxAttempts = null,
    int? RetryDelaySeconds = null,
    string? Executor = null);
