using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>The decoding half of OpenJPEG 2.5's API (openjpeg.h): JPEG 2000 Part 1 and HTJ2K (Part 15).</summary>
internal static unsafe partial class OpenJpeg
{
    public const int CodecJ2k = 0;
    public const int CodecJp2 = 2;

    /// <summary>sizeof(opj_dparameters_t) is 8252 bytes on 64-bit Linux; this leaves room for growth.</summary>
    public const int DecoderParametersSize = 16384;

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_create_decompress")]
    public static partial OpenJpegCodecHandle CreateDecompress(int format);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_destroy_codec")]
    public static partial void DestroyCodec(IntPtr codec);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_set_default_decoder_parameters")]
    public static partial void SetDefaultDecoderParameters(byte* parameters);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_setup_decoder")]
    public static partial int SetupDecoder(OpenJpegCodecHandle codec, byte* parameters);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_codec_set_threads")]
    public static partial int SetThreads(OpenJpegCodecHandle codec, int threads);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_set_error_handler")]
    public static partial int SetErrorHandler(OpenJpegCodecHandle codec, delegate* unmanaged[Cdecl]<byte*, void*, void> handler, void* data);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_create")]
    public static partial OpenJpegStreamHandle CreateStream(nuint bufferSize, int input);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_destroy")]
    public static partial void DestroyStream(IntPtr stream);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_read_function")]
    public static partial void SetReadFunction(OpenJpegStreamHandle stream, delegate* unmanaged[Cdecl]<void*, nuint, void*, nuint> read);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_skip_function")]
    public static partial void SetSkipFunction(OpenJpegStreamHandle stream, delegate* unmanaged[Cdecl]<long, void*, long> skip);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_seek_function")]
    public static partial void SetSeekFunction(OpenJpegStreamHandle stream, delegate* unmanaged[Cdecl]<long, void*, int> seek);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_user_data")]
    public static partial void SetUserData(OpenJpegStreamHandle stream, void* data, IntPtr free);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_stream_set_user_data_length")]
    public static partial void SetUserDataLength(OpenJpegStreamHandle stream, ulong length);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_read_header")]
    public static partial int ReadHeader(OpenJpegStreamHandle stream, OpenJpegCodecHandle codec, out IntPtr image);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_decode")]
    public static partial int Decode(OpenJpegCodecHandle codec, OpenJpegStreamHandle stream, IntPtr image);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_end_decompress")]
    public static partial int EndDecompress(OpenJpegCodecHandle codec, OpenJpegStreamHandle stream);

    [LibraryImport(NativeLibraries.OpenJpeg, EntryPoint = "opj_image_destroy")]
    public static partial void DestroyImage(IntPtr image);

    /// <summary>opj_image_t (48 bytes on 64-bit).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Image
    {
        public uint X0, Y0, X1, Y1;
        public uint ComponentCount;
        public int ColorSpace;
        public Component* Components;
        public byte* IccProfile;
        public uint IccProfileLength;
    }

    /// <summary>opj_image_comp_t (64 bytes on 64-bit; bpp is deprecated but still laid out).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Component
    {
        public uint Dx, Dy, Width, Height, X0, Y0;
        public uint Precision;
        public uint Bpp;
        public uint Signed;
        public uint ResolutionsDecoded;
        public uint Factor;
        public int* Data;
        public ushort Alpha;
    }
}

internal sealed class OpenJpegCodecHandle : SafeHandle
{
    public OpenJpegCodecHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpenJpeg.DestroyCodec(handle);
        return true;
    }
}

internal sealed class OpenJpegStreamHandle : SafeHandle
{
    public OpenJpegStreamHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        OpenJpeg.DestroyStream(handle);
        return true;
    }
}

/// <summary>A decoded opj_image_t, freed with opj_image_destroy.</summary>
internal sealed class OpenJpegImageHandle : SafeHandle
{
    public OpenJpegImageHandle(IntPtr image) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(image);

    public override bool IsInvalid => handle == IntPtr.Zero;

    public unsafe ref OpenJpeg.Image Image => ref *(OpenJpeg.Image*)handle;

    protected override bool ReleaseHandle()
    {
        OpenJpeg.DestroyImage(handle);
        return true;
    }
}
