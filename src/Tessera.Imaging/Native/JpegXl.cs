using System.Runtime.InteropServices;

namespace Tessera.Imaging.Native;

/// <summary>The decoding calls of libjxl 0.7 (jxl/decode.h) that a whole-frame decode needs.</summary>
internal static unsafe partial class JpegXl
{
    public const int StatusSuccess = 0;
    public const int StatusError = 1;
    public const int StatusNeedMoreInput = 2;
    public const int StatusNeedImageOutBuffer = 5;
    public const int StatusBasicInfo = 64;
    public const int StatusFullImage = 4096;

    public const int TypeUint8 = 2;
    public const int TypeUint16 = 3;
    public const int LittleEndian = 1;

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderCreate")]
    public static partial JpegXlDecoderHandle Create(IntPtr memoryManager);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderDestroy")]
    public static partial void Destroy(IntPtr decoder);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderSubscribeEvents")]
    public static partial int SubscribeEvents(JpegXlDecoderHandle decoder, int events);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderSetInput")]
    public static partial int SetInput(JpegXlDecoderHandle decoder, byte* data, nuint size);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderCloseInput")]
    public static partial void CloseInput(JpegXlDecoderHandle decoder);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderProcessInput")]
    public static partial int ProcessInput(JpegXlDecoderHandle decoder);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderGetBasicInfo")]
    public static partial int GetBasicInfo(JpegXlDecoderHandle decoder, byte* info);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderImageOutBufferSize")]
    public static partial int ImageOutBufferSize(JpegXlDecoderHandle decoder, in PixelFormat format, out nuint size);

    [LibraryImport(NativeLibraries.JpegXl, EntryPoint = "JxlDecoderSetImageOutBuffer")]
    public static partial int SetImageOutBuffer(JpegXlDecoderHandle decoder, in PixelFormat format, byte* buffer, nuint size);

    /// <summary>JxlBasicInfo is 204 bytes in 0.7; only the leading fields are read, by offset.</summary>
    public const int BasicInfoSize = 512;
    public const int BasicInfoXSize = 4;
    public const int BasicInfoYSize = 8;
    public const int BasicInfoBitsPerSample = 12;
    public const int BasicInfoColorChannels = 52;

    [StructLayout(LayoutKind.Sequential)]
    public struct PixelFormat
    {
        public uint Channels;
        public int DataType;
        public int Endianness;
        public nuint Align;
    }
}

internal sealed class JpegXlDecoderHandle : SafeHandle
{
    public JpegXlDecoderHandle() : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        JpegXl.Destroy(handle);
        return true;
    }
}
