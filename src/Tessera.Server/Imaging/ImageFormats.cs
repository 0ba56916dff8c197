namespace Tessera.Server.Imaging;

/// <summary>
/// Whether a stored file is probably an image Tessera shows, from its name and media type alone (listings cannot
/// open every file); the image endpoints then read its first bytes and answer 415 when the guess was wrong.
/// </summary>
public static class ImageFormats
{
    private static readonly HashSet<string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/dicom", "image/png", "image/jpeg", "image/tiff", "image/x-aperio-svs",
    };

    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".dcm", ".dicom", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".svs", ".ndpi", ".scn", ".bif", ".vms", ".mrxs", ".svslide", ".nii",
    };

    public static bool LooksShowable(string path, string mediaType)
    {
        ArgumentNullException.ThrowIfNull(path);
        var type = mediaType?.Split(';')[0].Trim() ?? "";
        return MediaTypes.Contains(type) || Extensions.Contains(Path.GetExtension(path))
            || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);
    }
}
