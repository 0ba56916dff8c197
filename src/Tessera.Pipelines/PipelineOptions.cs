using System.ComponentModel.DataAnnotations;

namespace Tessera.Pipelines;

/// <summary>The pipeline engine on this node (section <c>Pipelines</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipelines";

    /// <summary>Whether this node claims and runs jobs (any node accepts them).</summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>Jobs this node runs at once; more wait in the queue.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentJobs { get; set; } = 2;

    /// <summary>The executor of a job whose tool and project name none.</summary>
    public string DefaultExecutor { get; set; } = "local";

    [Range(1, 30 * 24 * 3600)]
    public int DefaultTimeoutSeconds { get; set; } = 3600;

    [Range(1, 100)]
    public int DefaultMaxAttempts { get; set; } = 1;

    [Range(0, 24 * 3600)]
    public int DefaultRetryDelaySeconds { get; set; } = 30;

    /// <summary>How long a node's claim on a running job lasts unless renewed (it renews at a third of this).</summary>
    [Range(3, 3600)]
    public int LeaseSeconds { get; set; } = 30;

    /// <summary>TESSERA_URL for tools outside a sandbox (on this machine, or Slurm nodes); default: the server's first HTTP address.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>Where workspaces are made; default <c>&lt;data&gt;/jobs</c>.</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>A job's log is cut at this many bytes (a note says so).</summary>
    [Range(1024, long.MaxValue)]
    public long MaxLogBytes { get; set; } = 16 * 1024 * 1024;

    public LocalExecutorOptions Local { get; set; } = new();
}

/// <summary>The <c>local</c> executor (section <c>Pipelines:Local</c>).</summary>
public sealed class LocalExecutorOptions
{
    /// <summary><c>auto</c> (bubblewrap when installed), <c>bwrap</c> (required) or <c>none</c>.</summary>
    [RegularExpression("^(auto|bwrap|none)$")]
    public string Sandbox { get; set; } = "auto";

    /// <summary>In the sandbox: <c>server</c> (only the Tessera API, at TESSERA_URL), <c>none</c>, or <c>host</c> (the machine's network).</summary>
    [RegularExpression("^(server|none|host)$")]
    public string Network { get; set; } = "server";

    /// <summary>Address space limit of a tool whose descriptor suggests no RAM, in GB.</summary>
    [Range(0.1, 4096)]
    public double DefaultMemoryGb { get; set; } = 8;

    /// <summary>Open files a tool may hold.</summary>
    [Range(64, 1048576)]
    public int MaxOpenFiles { get; set; } = 4096;
}
