using System.ComponentModel.DataAnnotations;

namespace Tessera.Pipelines;

/// <summary>The pipeline engine on this node (section <c>Pipelines</c>).</summary>
public sealed class PipelineOptions
{
    public const string SectionName = "Pipelines";

    /// <summary>Whether this node claims and runs jobs (any node accepts them).</summary>
    public bool RunJobs { get; set; } = true;

    /// <summary>Whether this node evaluates the projects' trigger rules (any number of nodes may: each change fires a rule once).</summary>
    public bool RunTriggers { get; set; } = true;

    /// <summary>How often the trigger rules are evaluated against the change log.</summary>
    [Range(50, 60000)]
    public int TriggerPollMilliseconds { get; set; } = 500;

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

    /// <summary>The largest <c>output/results.json</c> read (it is held in memory); a larger one fails the job.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxResultsBytes { get; set; } = 1024 * 1024;

    /// <summary>The most files a job's <c>output/</c> may hold; more fail the job.</summary>
    [Range(1, 10_000_000)]
    public int MaxOutputFiles { get; set; } = 100_000;

    public LocalExecutorOptions Local { get; set; } = new();

    public SlurmExecutorOptions Slurm { get; set; } = new();

    public ContainerExecutorOptions Container { get; set; } = new();
}

/// <summary>The <c>container</c> executor (section <c>Pipelines:Container</c>).</summary>
public sealed class ContainerExecutorOptions
{
    /// <summary>Whether this site offers the <c>container</c> executor (when its engine is installed).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The container CLI: <c>podman</c> or <c>docker</c> (a name on the PATH, or a path).</summary>
    public string Engine { get; set; } = "podman";

    /// <summary>The OCI runtime podman uses (e.g. <c>runc</c>); default: the engine's.</summary>
    public string? Runtime { get; set; }

    /// <summary>The container's network: <c>none</c> (the API through the mounted socket), or an engine network name.</summary>
    public string Network { get; set; } = "none";

    [Range(0.1, 4096)]
    public double DefaultMemoryGb { get; set; } = 8;

    [Range(64, 1048576)]
    public int MaxOpenFiles { get; set; } = 1024;

    [Range(16, 1048576)]
    public int MaxProcesses { get; set; } = 1024;

    /// <summary>More options of the engine's <c>run</c>, one per item.</summary>
    public List<string> ExtraArguments { get; set; } = [];
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

    /// <summary>The unprivileged host account tools run as when the server runs as root (tools never run as root).</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_-]{0,31}$")]
    public string RunAsUser { get; set; } = Executors.ToolUser.DefaultName;

    /// <summary>More host folders a sandboxed tool sees, read-only (e.g. <c>/opt/fsl</c>); absolute paths.</summary>
    public List<string> ReadOnlyPaths { get; set; } = [];
}

/// <summary>The <c>slurm</c> executor (section <c>Pipelines:Slurm</c>).</summary>
public sealed class SlurmExecutorOptions
{
    /// <summary>Whether this site offers the <c>slurm</c> executor (its client commands must work on the server).</summary>
    public bool Enabled { get; set; }

    /// <summary>SLURM_CONF for the sbatch, scontrol and scancel calls; default: Slurm's own lookup.</summary>
    public string? Conf { get; set; }

    /// <summary>Where sbatch, scontrol and scancel are; default: the PATH.</summary>
    public string? BinDirectory { get; set; }

    /// <summary>The partition of a tool that names none (<c>tessera:partition</c>); default: the cluster's.</summary>
    public string? Partition { get; set; }

    public string? Account { get; set; }

    /// <summary>More sbatch options, one per item (e.g. <c>--qos=normal</c>).</summary>
    public List<string> ExtraArguments { get; set; } = [];

    /// <summary>How the nodes run tessera (a path, or e.g. <c>dotnet /opt/tessera/tessera.dll</c>); default: the way this server was started.</summary>
    public string? Command { get; set; }

    /// <summary>PATH of the batch script on the nodes.</summary>
    public string NodePath { get; set; } = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>A node-local folder where job-run makes the workspace.</summary>
    public string NodeDirectory { get; set; } = "/tmp";

    /// <summary>Slurm's own output file for the batch script (job-run sends the tool's log to the server), e.g. <c>/tmp/tessera-%j.out</c>.</summary>
    public string OutputFile { get; set; } = "/dev/null";

    /// <summary>The sandbox on the nodes: <c>auto</c>, <c>bwrap</c> or <c>none</c>.</summary>
    [RegularExpression("^(auto|bwrap|none)$")]
    public string Sandbox { get; set; } = "auto";

    /// <summary>The unprivileged account job-run hands tools to when it runs as root on a node.</summary>
    [Required, RegularExpression("^[a-z_][a-z0-9_-]{0,31}$")]
    public string RunAsUser { get; set; } = Executors.ToolUser.DefaultName;

    /// <summary>The network of a sandboxed tool on the nodes: <c>server</c> (only the Tessera API), <c>none</c> or <c>host</c>.</summary>
    [RegularExpression("^(server|none|host)$")]
    public string Network { get; set; } = "server";

    /// <summary>How often Slurm is asked about a job that has not started yet.</summary>
    [Range(20, 60000)]
    public int PollMilliseconds { get; set; } = 200;

    /// <summary>How often Slurm is asked about a running job (to notice a lost node).</summary>
    [Range(100, 600000)]
    public int RunningPollMilliseconds { get; set; } = 5000;

    /// <summary>The command line that starts tessera on a node.</summary>
    public string ResolveCommand()
    {
        if (Command is { Length: > 0 } configured)
            return configured;
        var process = Environment.ProcessPath ?? "tessera";
        var entry = System.Reflection.Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && entry is { Length: > 0 }
            ? $"{Executors.SlurmExecutor.Quote(process)} {Executors.SlurmExecutor.Quote(entry)}"
            : Executors.SlurmExecutor.Quote(process);
    }
}
