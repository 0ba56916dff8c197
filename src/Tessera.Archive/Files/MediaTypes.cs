using Microsoft.AspNetCore.StaticFiles;

namespace Tessera.Archive.Files;

/// <summary>
/// Chooses a stored file's media type on the server's own terms: by its extension, and the client's
/// declared type only where the extension says nothing specific and the declared type is a passive one
/// (a client must not be able to label its upload <c>text/html</c>). Serving decides separately what
/// may be shown inline (<see cref="IsSafeInline"/>).
/// </summary>
public static class MediaTypes
{
    public const string Default = "application/octet-stream";
    private static readonly FileExtensionContentTypeProvider s_byExtension = Create();

    /// <summary>Declared types taken for a file whose extension is unknown: data that no browser runs.</summary>
    private static readonly HashSet<string> s_passiveDeclared = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/dicom", "application/gzip", "application/zip", "application/x-tar", "application/x-zstd", "application/json",
        "application/pdf", "application/vnd.ms-excel", "text/csv", "text/plain", "text/tab-separated-values",
        "image/png", "image/jpeg", "image/tiff", "image/gif", "image/webp", "image/jp2", "image/jxl", "image/bmp",
        "video/mp4", "video/webm", "audio/mpeg", "audio/wav", "audio/flac",
    };

    /// <summary>Types a browser may show in place (with nosniff and a sandboxing CSP); everything else is a download.</summary>
    private static readonly HashSet<string> s_safeInline = new(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/avif",
        "text/plain", "text/csv", "application/json", "application/pdf",
        "video/mp4", "video/webm", "audio/mpeg", "audio/wav", "audio/flac",
    };

    public static string Choose(string path, string? declared)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
            return "application/gzip";
        // The extension's type wins, unless it says nothing specific (.bin, .dat): then a passive declared type may.
        if (s_byExtension.TryGetContentType(path, out var type) && type != Default)
            return type;
        var bare = Bare(declared);
        return bare is not null && s_passiveDeclared.Contains(bare) ? bare.ToLowerInvariant() : Default;
    }

    /// <summary>Whether a stored file of this type may be shown inline rather than downloaded.</summary>
    public static bool IsSafeInline(string? mediaType) => Bare(mediaType) is { } bare && s_safeInline.Contains(bare);

    /// <summary>The type without parameters (<c>text/plain; charset=…</c> → <c>text/plain</c>), or null when there is none.</summary>
    private static string? Bare(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType) || mediaType.Length > 128)
            return null;
        var semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
    }

    private static FileExtensionContentTypeProvider Create()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".dcm"] = "application/dicom";
        provider.Mappings[".nii"] = "application/octet-stream";
        provider.Mappings[".svs"] = "image/tiff";
        provider.Mappings[".ndpi"] = "image/tiff";
        provider.Mappings[".json"] = "application/json";
        return provider;
    }
}
