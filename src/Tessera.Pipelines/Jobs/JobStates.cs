namespace Tessera.Pipelines.Jobs;

/// <summary>A job's states, as the API shows them: queued → staging → running → finalizing → complete | failed | cancelled.</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Staging = "staging";
    public const string Running = "running";
    public const string Finalizing = "finalizing";
    public const string Complete = "complete";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Queued, Staging, Running, Finalizing, Complete, Failed, Cancelled];

    /// <summary>States a node holds the job in, under its lease.</summary>
    public static readonly IReadOnlyList<string> Active = [Staging, Running, Finalizing];

    public static readonly string[] Final = [Complete, Failed, Cancelled];

    public static bool IsFinal(string state) => state is Complete or Failed or Cancelled;
}
