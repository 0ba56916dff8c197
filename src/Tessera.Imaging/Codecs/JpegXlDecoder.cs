using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>JPEG XL (1.2.840.10008.1.2.4.110–.112) through Debian's libjxl 0.7; samples come out as RGB or grey.</summary>
public sealed unsafe class JpegXlDecoder : IFrameDecoder
{
    public static JpegXlDecoder Instance { get; } = new();

    public string Name => "JPEG XL (libjxl)";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        NativeLibraries.Require(NativeLibraries.JpegXl);
        using var decoder = JpegXl.Create(IntPtr.Zero);
        if (decoder.IsInvalid)
            throw new InvalidOperationException("libjxl could not create a decoder");
        if (JpegXl.SubscribeEvents(decoder, JpegXl.StatusBasicInfo | JpegXl.StatusFullImage) != JpegXl.StatusSuccess)
            throw new InvalidOperationException("libjxl refused the decoder's events");
        var info = stackalloc byte[JpegXl.BasicInfoSize];
        byte[]? output = null;
        var format = default(JpegXl.PixelFormat);
        fixed (byte* data = encoded)
        {
            if (JpegXl.SetInput(decoder, data, (nuint)encoded.Length) != JpegXl.StatusSuccess)
                throw ImageException.Malformed("libjxl refused the JPEG XL data");
            JpegXl.CloseInput(decoder);
            while (true)
            {
                var status = JpegXl.ProcessInput(decoder);
                switch (status)
                {
                    case JpegXl.StatusBasicInfo:
                        if (JpegXl.GetBasicInfo(decoder, info) != JpegXl.StatusSuccess)
                            throw ImageException.Malformed("the JPEG XL header does not decode");
                        format = Format(info, layout, limits);
                        break;
                    case JpegXl.StatusNeedImageOutBuffer:
                        if (JpegXl.ImageOutBufferSize(decoder, format, out var size) != JpegXl.StatusSuccess)
                            throw ImageException.Malformed("the JPEG XL image's size is not known");
                        var expected = DecodeLimits.BufferSize("the decoded JPEG XL frame", layout.Columns, layout.Rows, format.Channels, format.DataType == JpegXl.TypeUint8 ? 1 : 2);
                        if (size != (nuint)expected)
                            throw ImageException.Malformed($"libjxl asks for {size} bytes for a frame of {expected}");
                        // libjxl writes into the buffer during later calls: it lives on the pinned heap.
                        output = GC.AllocateUninitializedArray<byte>(expected, pinned: true);
                        fixed (byte* buffer = output)
                        {
                            if (JpegXl.SetImageOutBuffer(decoder, format, buffer, size) != JpegXl.StatusSuccess)
                                throw ImageException.Malformed("libjxl refused the output buffer");
                        }
                        break;
                    case JpegXl.StatusFullImage:
                    case JpegXl.StatusSuccess:
                        if (output is null)
                            throw ImageException.Malformed("the JPEG XL data holds no image");
                        var photometric = format.Channels == 3 ? Photometric.Rgb : layout.Photometric;
                        var bits = format.DataType == JpegXl.TypeUint8 ? 8 : 16;
                        var stored = *(uint*)(info + JpegXl.BasicInfoBitsPerSample);
                        if (bits == 16 && stored < 16)
                            Rescale(output, (int)stored);
                        return new PixelFrame(layout with { Planar = false, Photometric = photometric, BitsAllocated = bits }, output);
                    case JpegXl.StatusNeedMoreInput:
                        throw ImageException.Malformed("the JPEG XL data ends before the image does (truncated)");
                    default:
                        throw ImageException.Malformed("the JPEG XL data does not decode");
                }
            }
        }
    }

    /// <summary>libjxl scales samples to the whole 16-bit range; the stored values had <paramref name="bits"/> bits.</summary>
    private static void Rescale(byte[] output, int bits)
    {
        var samples = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(output.AsSpan());
        var max = (1 << bits) - 1;
        for (var i = 0; i < samples.Length; i++)
            samples[i] = (ushort)((samples[i] * max + 32767) / 65535);
    }

    /// <summary>
    /// Checks the basic info (the size header libjxl reports before it decodes a frame) against the DICOM header and
    /// the limits, and picks the output sample format.
    /// </summary>
    private static JpegXl.PixelFormat Format(byte* info, PixelLayout layout, DecodeLimits limits)
    {
        var width = *(uint*)(info + JpegXl.BasicInfoXSize);
        var height = *(uint*)(info + JpegXl.BasicInfoYSize);
        var bits = *(uint*)(info + JpegXl.BasicInfoBitsPerSample);
        var channels = *(uint*)(info + JpegXl.BasicInfoColorChannels);
        limits.CheckDeclared("JPEG XL basic info", width, height, channels, layout);
        return new JpegXl.PixelFormat
        {
            Channels = channels,
            DataType = bits <= 8 ? JpegXl.TypeUint8 : JpegXl.TypeUint16,
            Endianness = JpegXl.LittleEndian,
        };
    }
}
