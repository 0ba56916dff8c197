using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.Api;

public sealed class ServerOptions
{
    public const string SectionName = "Server";

    /// <summary>The largest file body accepted by an upload, in bytes (default 1 TiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxUploadBytes { get; set; } = 1L << 40;

    /// <summary>The largest JSON body accepted by the other endpoints, in bytes.</summary>
    [Range(1024, int.MaxValue)]
    public long MaxJsonBytes { get; set; } = 16L << 20;
}
