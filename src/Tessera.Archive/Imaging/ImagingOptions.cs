using System.ComponentModel.DataAnnotations;

namespace Tessera.Archive.Imaging;

/// <summary>The Imaging section: tile encoding and the memory the image caches may use.</summary>
public sealed class ImagingOptions
{
    public const string SectionName = "Imaging";

    /// <summary>JPEG quality of rendered tiles and thumbnails (1–100).</summary>
    [Range(1, 100)]
    public int JpegQuality { get; set; } = 85;

    /// <summary>Megabytes of decoded, rendered frames kept in memory for panning and tiling.</summary>
    [Range(16, 65536)]
    public int FrameCacheMegabytes { get; set; } = 256;

    /// <summary>How many images stay open at once (their handles and headers).</summary>
    [Range(1, 10000)]
    public int OpenImages { get; set; } = 64;

    /// <summary>How long browsers may keep a tile of a public project, in seconds (private ones: kept privately).</summary>
    [Range(0, 31536000)]
    public int CacheSeconds { get; set; } = 86400;
}
