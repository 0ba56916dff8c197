using Microsoft.AspNetCore.StaticFiles;

namespace Tessera.Archive.Files;

/// <summary>Chooses a file's media type: the client's when it gave a specific one, else by extension.</summary>
public static class MediaTypes
{
    public const string Default = "application/octet-stream";
    private static readonly FileExtensionContentTypeProvider s_byExtension = Create();

    public static string Choose(string path, string? declared)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!string.IsNullOrWhiteSpace(declared) && declared != Default && declared.Length <= 128
            && !declared.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return declared;
        }
        if (path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase))
        {
            return "application/gzip";
        }
        return s_byExtension.TryGetContentType(path, out var type) ? type : Default;
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
