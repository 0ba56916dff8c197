using System.ComponentModel.DataAnnotations;

namespace Tessera.Archive.Imaging;

/// <summary>The Imaging section: tile encoding, the memory the image caches may use, and pyramid building.</summary>
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

    /// <summary>
    /// The largest PNG or JPEG decoded whole, in pixels. A larger PNG is read band by band until its pyramid is
    /// built; a larger JPEG is shown only from its pyramid.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxDecodedPixels { get; set; } = 64L << 20;

    /// <summary>Whether large flat pictures get a pyramid built after import (with libvips).</summary>
    public bool BuildPyramids { get; set; } = true;

    /// <summary>Pictures of at least this many pixels, stored at one resolution, get a pyramid.</summary>
    [Range(1, long.MaxValue)]
    public long PyramidMinPixels { get; set; } = 4096L * 4096;

    /// <summary>The libvips command that builds pyramids (from Debian's libvips-tools).</summary>
    [Required]
    public string VipsCommand { get; set; } = "vips";

    /// <summary>A pyramid build taking longer than this is stopped and marked failed.</summary>
    [Range(1, 10080)]
    public int PyramidTimeoutMinutes { get; set; } = 240;

    /// <summary>How long browsers may keep a tile of a public project, in seconds (private ones: kept privately).</summary>
    [Range(0, 31536000)]
    public int CacheSeconds { get; set; } = 86400;
}
