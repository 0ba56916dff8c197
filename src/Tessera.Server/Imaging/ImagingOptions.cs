using System.ComponentModel.DataAnnotations;

namespace Tessera.Server.Imaging;

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
    /// The most pixels decoded at once: a PNG or JPEG decoded whole, a DICOM frame, a TIFF tile or strip, a slide's
    /// tile, a NIfTI slice. Every codec checks the size its header declares against this (and a DICOM frame's against
    /// its Rows and Columns) before it allocates anything. A larger PNG is read band by band until its pyramid is
    /// built; a larger JPEG is shown only from its pyramid; a larger DICOM frame is not shown.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long MaxDecodedPixels { get; set; } = Tessera.Imaging.Codecs.DecodeLimits.DefaultMaxPixels;

    /// <summary>
    /// Decodes and renders running at once on this node (tiles, regions, thumbnails, pictures decoded whole); stored
    /// tiles sent as they are take none. Default: one per processor.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentDecodes { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a request waits for a decode slot before it is answered 503 with Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan DecodeQueueTimeout { get; set; } = TimeSpan.FromSeconds(5);

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
