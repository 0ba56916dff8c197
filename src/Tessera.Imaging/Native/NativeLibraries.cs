using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>
/// The Debian libraries the codecs bind to, by soname, with the package that provides each: a missing one
/// becomes an error that names what to install instead of a <see cref="DllNotFoundException"/> deep in a request.
/// </summary>
public static class NativeLibraries
{
    public const string TurboJpeg = "libturbojpeg.so.0";
    public const string OpenJpeg = "libopenjp2.so.7";
    public const string CharLs = "libcharls.so.2";
    public const string JpegXl = "libjxl.so.0.7";
    public const string OpenSlide = "libopenslide.so.0";
    public const string Tiff = "libtiff.so.6";

    private static readonly ConcurrentDictionary<string, bool> Loaded = new(StringComparer.Ordinal);

    /// <summary>Every library with the Debian package that installs it.</summary>
    public static IReadOnlyList<(string Soname, string Package, string Purpose)> All { get; } =
    [
        (TurboJpeg, "libturbojpeg0", "JPEG baseline and extended (8-bit) decoding, JPEG encoding"),
        (OpenJpeg, "libopenjp2-7", "JPEG 2000 and HTJ2K decoding"),
        (CharLs, "libcharls2", "JPEG-LS decoding"),
        (JpegXl, "libjxl0.7", "JPEG XL decoding"),
        (OpenSlide, "libopenslide0", "whole-slide images (Aperio SVS, Hamamatsu, MIRAX, generic tiled TIFF)"),
        (Tiff, "libtiff6", "TIFF, BigTIFF and OME-TIFF images"),
    ];

    /// <summary>Whether the library loads on this machine.</summary>
    public static bool IsAvailable(string soname) =>
        Loaded.GetOrAdd(soname, static name =>
        {
            if (!NativeLibrary.TryLoad(name, typeof(NativeLibraries).Assembly, null, out var handle))
                return false;
            NativeLibrary.Free(handle);
            return true;
        });

    /// <summary>Throws <see cref="ImageErrorKind.MissingLibrary"/>, naming the package, when the library is not installed.</summary>
    public static void Require(string soname)
    {
        if (IsAvailable(soname))
            return;
        var (_, package, purpose) = All.First(l => l.Soname == soname);
        throw new ImageException(ImageErrorKind.MissingLibrary,
            $"{purpose} needs {soname}, which is not installed on this server (install the Debian package {package})");
    }
}
