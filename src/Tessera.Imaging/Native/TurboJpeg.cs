using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>The TurboJPEG 2.1 API of libjpeg-turbo (turbojpeg.h): 8-bit JPEG decoding and encoding.</summary>
internal static partial class TurboJpeg
{
    public const int PixelFormatRgb = 0;
    public const int PixelFormatGray = 6;
    public const int SubsampGray = 3;
    public const int Subsamp444 = 0;
    public const int Subsamp420 = 2;
    public const int FlagAccurateDct = 4096;
    public const int FlagStopOnWarning = 8192;
    public const int ColorspaceGray = 2;
    public const int ColorspaceCmyk = 3;
    public const int ColorspaceYcck = 4;

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitDecompress")]
    public static partial TurboJpegHandle InitDecompress();

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjInitCompress")]
    public static partial TurboJpegHandle InitCompress();

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDestroy")]
    public static partial int Destroy(IntPtr handle);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompressHeader3")]
    public static unsafe partial int DecompressHeader(TurboJpegHandle handle, byte* jpeg, nuint size, out int width, out int height, out int subsampling, out int colorspace);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjDecompress2")]
    public static unsafe partial int Decompress(TurboJpegHandle handle, byte* jpeg, nuint size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjCompress2")]
    public static unsafe partial int Compress(TurboJpegHandle handle, byte* source, int width, int pitch, int height, int pixelFormat, ref IntPtr jpeg, ref nuint size, int subsampling, int quality, int flags);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjFree")]
    public static partial void Free(IntPtr buffer);

    [LibraryImport(NativeLibraries.TurboJpeg, EntryPoint = "tjGetErrorStr2")]
    public static partial IntPtr ErrorString(TurboJpegHandle handle);

    public static string LastError(TurboJpegHandle handle) => Marshal.PtrToStringUTF8(ErrorString(handle)) ?? "unknown error";
}

/// <summary>A TurboJPEG compressor or decompressor instance.</summary>
internal sealed class TurboJpegHandle : SafeHandle
{
    public TurboJpegHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle() => TurboJpeg.Destroy(handle) == 0;
}
