using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>OpenSlide 3.4 (openslide.h): vendor whole-slide formats, read region by region.</summary>
internal static unsafe partial class OpenSlide
{
    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_detect_vendor", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr DetectVendor(string path);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_open", StringMarshalling = StringMarshalling.Utf8)]
    public static partial OpenSlideHandle Open(string path);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_close")]
    public static partial void Close(IntPtr slide);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_get_error")]
    public static partial IntPtr GetError(OpenSlideHandle slide);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_get_level_count")]
    public static partial int GetLevelCount(OpenSlideHandle slide);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_get_level_dimensions")]
    public static partial void GetLevelDimensions(OpenSlideHandle slide, int level, out long width, out long height);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_get_level_downsample")]
    public static partial double GetLevelDownsample(OpenSlideHandle slide, int level);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_read_region")]
    public static partial void ReadRegion(OpenSlideHandle slide, uint* destination, long x, long y, int level, long width, long height);

    [LibraryImport(NativeLibraries.OpenSlide, EntryPoint = "openslide_get_property_value", StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr GetPropertyValue(OpenSlideHandle slide, string name);

    public static string? Error(OpenSlideHandle slide) => Marshal.PtrToStringUTF8(GetError(slide));

    public static string? Property(OpenSlideHandle slide, string name) => Marshal.PtrToStringUTF8(GetPropertyValue(slide, name));
}

internal sealed class OpenSlideHandle : SafeHandle
{
    public OpenSlideHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpenSlide.Close(handle);
        return true;
    }
}
