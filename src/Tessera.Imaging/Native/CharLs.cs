using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>The decoder half of CharLS 2's C API (charls_jpegls_decoder.h): JPEG-LS, lossless and near-lossless.</summary>
internal static unsafe partial class CharLs
{
    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_create")]
    public static partial CharLsDecoderHandle Create();

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_destroy")]
    public static partial void Destroy(IntPtr decoder);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_set_source_buffer")]
    public static partial int SetSource(CharLsDecoderHandle decoder, byte* source, nuint size);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_read_header")]
    public static partial int ReadHeader(CharLsDecoderHandle decoder);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_frame_info")]
    public static partial int GetFrameInfo(CharLsDecoderHandle decoder, out FrameInfo info);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_interleave_mode")]
    public static partial int GetInterleaveMode(CharLsDecoderHandle decoder, out int mode);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_get_destination_size")]
    public static partial int GetDestinationSize(CharLsDecoderHandle decoder, uint stride, out nuint size);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_jpegls_decoder_decode_to_buffer")]
    public static partial int DecodeToBuffer(CharLsDecoderHandle decoder, byte* destination, nuint size, uint stride);

    [LibraryImport(NativeLibraries.CharLs, EntryPoint = "charls_get_error_message")]
    public static partial IntPtr ErrorMessage(int error);

    public static string Describe(int error) => Marshal.PtrToStringUTF8(ErrorMessage(error)) ?? $"error {error}";

    [StructLayout(LayoutKind.Sequential)]
    public struct FrameInfo
    {
        public uint Width;
        public uint Height;
        public int BitsPerSample;
        public int ComponentCount;
    }
}

internal sealed class CharLsDecoderHandle : SafeHandle
{
    public CharLsDecoderHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        CharLs.Destroy(handle);
        return true;
    }
}
