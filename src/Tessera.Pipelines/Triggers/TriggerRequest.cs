using System.Text.Json;

namespace Tessera.Pipelines.Triggers;

/// <summary>A rule as a project's owner writes it (PUT /api/projects/{p}/triggers/{name}).</summary>
/// <param name="Event"><c>session</c>: the session's files have settled, <paramref name="QuietSeconds"/> after the last one (default 30); <c>file</c>: a file matching <paramref name="Glob"/> was stored.</param>
/// <param name="Level"><c>session</c>, or <c>scan</c> (file rules: the scan of the file).</param>
public sealed record TriggerRequest(
    string Tool,
    string Event,
    int? QuietSeconds = null,
    string? Glob = null,
    string? Level = null,
    string? SessionType = null,
    JsonElement? Fields = null,
    JsonElement? Inputs = null,
    string? Executor = null,
    bool? Enabled = null);

/// <summary>A rule with its tool's key and the project's slug.</summary>
public sealed record TriggerView(Archive.Data.TriggerRule Rule, string Project, string Tool, int Fired, DateTime? LastFiredAt);
