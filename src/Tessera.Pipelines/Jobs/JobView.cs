using Tessera.Archive.Data;

namespace Tessera.Pipelines.Jobs;

/// <summary>A job with the names it is shown by.</summary>
public sealed record JobView(Job Job, string Project, string Tool, string? SubmittedBy = null);
