namespace Tessera.Server.Web;

/// <summary>How a job's state looks in the tables (the same classes as wwwroot/js/jobs.js uses).</summary>
public static class JobBadges
{
    public static string Class(string state) => state switch
    {
        "complete" => "text-bg-success",
        "failed" => "text-bg-danger",
        "cancelled" => "text-bg-secondary",
        "running" or "finalizing" => "text-bg-primary",
        "staging" => "text-bg-info",
        _ => "text-bg-light",
    };

    /// <summary>A job's id as tables show it: its last 8 hex digits (its first ones are a timestamp, the same for jobs made together).</summary>
    public static string ShortId(Guid id) => id.ToString("N")[^8..];
}
