using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>
/// libtiff 4.5 (tiffio.h). TIFFGetField is variadic: each output shape has its own fixed prototype, which is sound
/// on x86-64 System V for integer and pointer arguments (the callee only uses AL to decide whether to spill vector
/// registers); no float or double is ever passed through it.
/// </summary>
internal static unsafe partial class LibTiff
{
    public const uint ImageWidth = 256;
    public const uint ImageLength = 257;
    public const uint BitsPerSample = 258;
    public const uint Compression = 259;
    public const uint Photometric = 262;
    public const uint ImageDescription = 270;
    public const uint SamplesPerPixel = 277;
    public const uint RowsPerStrip = 278;
    public const uint TileWidth = 322;
    public const uint TileLength = 323;
    public const uint TileOffsets = 324;
    public const uint TileByteCounts = 325;
    public const uint SubIfd = 330;
    public const uint JpegTables = 347;
    public const uint SampleFormat = 339;
    public const uint SubfileType = 254;

    public const ushort CompressionJpeg = 7;
    public const ushort PhotometricRgb = 2;
    public const ushort PhotometricYcbcr = 6;

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFOpen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial TiffHandle Open(string path, string mode);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFClose")]
    public static partial void Close(IntPtr tiff);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFSetErrorHandler")]
    public static partial IntPtr SetErrorHandler(IntPtr handler);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFSetWarningHandler")]
    public static partial IntPtr SetWarningHandler(IntPtr handler);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFNumberOfDirectories")]
    public static partial uint NumberOfDirectories(TiffHandle tiff);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFSetDirectory")]
    public static partial int SetDirectory(TiffHandle tiff, uint index);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFSetSubDirectory")]
    public static partial int SetSubDirectory(TiffHandle tiff, ulong offset);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFIsTiled")]
    public static partial int IsTiled(TiffHandle tiff);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFNumberOfTiles")]
    public static partial uint NumberOfTiles(TiffHandle tiff);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFReadRGBATile")]
    public static partial int ReadRgbaTile(TiffHandle tiff, uint x, uint y, uint* raster);

    /// <summary>One strip (RowsPerStrip rows from <paramref name="row"/>) as RGBA, bottom row first like a tile.</summary>
    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFReadRGBAStrip")]
    public static partial int ReadRgbaStrip(TiffHandle tiff, uint row, uint* raster);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFGetField")]
    public static partial int GetUInt32(TiffHandle tiff, uint tag, out uint value);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFGetFieldDefaulted")]
    public static partial int GetUInt16Defaulted(TiffHandle tiff, uint tag, out ushort value);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFGetField")]
    public static partial int GetPointer(TiffHandle tiff, uint tag, out IntPtr value);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFGetField")]
    public static partial int GetCountedUInt32(TiffHandle tiff, uint tag, out uint count, out IntPtr data);

    [LibraryImport(NativeLibraries.Tiff, EntryPoint = "TIFFGetField")]
    public static partial int GetCountedUInt16(TiffHandle tiff, uint tag, out ushort count, out IntPtr data);

    public static ushort UInt16(TiffHandle tiff, uint tag) => GetUInt16Defaulted(tiff, tag, out var value) == 1 ? value : (ushort)0;

    public static uint UInt32(TiffHandle tiff, uint tag) => GetUInt32(tiff, tag, out var value) == 1 ? value : 0;

    public static string? Text(TiffHandle tiff, uint tag) =>
        GetPointer(tiff, tag, out var text) == 1 && text != IntPtr.Zero ? Marshal.PtrToStringUTF8(text) : null;

    /// <summary>An array of 64-bit values (tile offsets or byte counts) of the current directory, copied.</summary>
    public static ulong[] UInt64Array(TiffHandle tiff, uint tag, int count)
    {
        if (GetPointer(tiff, tag, out var data) != 1 || data == IntPtr.Zero)
            return [];
        return new ReadOnlySpan<ulong>((void*)data, count).ToArray();
    }
}

internal sealed class TiffHandle : SafeHandle
{
    public TiffHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LibTiff.Close(handle);
        return true;
    }
}
