using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>
/// JPEG 2000 (1.2.840.10008.1.2.4.90–.93) and HTJ2K (.201–.203) through OpenJPEG, from memory. The inverse
/// component transform (YBR_ICT / YBR_RCT) is OpenJPEG's, so those frames come out as RGB.
/// </summary>
public sealed unsafe class Jpeg2000Decoder : IFrameDecoder
{
    [ThreadStatic]
    private static string? _lastError;

    public static Jpeg2000Decoder Instance { get; } = new();

    /// <summary>
    /// Fewest pixels a tile may have on average. OpenJPEG sets up every tile's coding parameters as it reads the
    /// header (some 5 KB each, up to 65535 tiles), so a tiny tile size in a small image's SIZ costs hundreds of megabytes.
    /// </summary>
    private const long MinPixelsPerTile = 1024;

    public string Name => "JPEG 2000 (OpenJPEG)";

    public PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        // Checked before OpenJPEG reads anything: its header reading already costs what the tile grid declares.
        CheckSiz(Jpeg2000Siz.Read(encoded), layout, limits);
        NativeLibraries.Require(NativeLibraries.OpenJpeg);
        _lastError = null;
        var format = encoded.Length >= 12 && encoded[4..8].SequenceEqual("jP  "u8) ? OpenJpeg.CodecJp2 : OpenJpeg.CodecJ2k;
        using var codec = OpenJpeg.CreateDecompress(format);
        if (codec.IsInvalid)
            throw new InvalidOperationException("OpenJPEG could not create a decoder");
        OpenJpeg.SetErrorHandler(codec, &OnError, null);
        var parameters = stackalloc byte[OpenJpeg.DecoderParametersSize];
        OpenJpeg.SetDefaultDecoderParameters(parameters);
        if (OpenJpeg.SetupDecoder(codec, parameters) == 0)
            throw new InvalidOperationException("OpenJPEG refused its default decoder parameters");
        fixed (byte* data = encoded)
        {
            var source = new MemorySource { Data = data, Length = encoded.Length };
            using var stream = OpenJpeg.CreateStream(1 << 16, 1);
            OpenJpeg.SetUserData(stream, &source, IntPtr.Zero);
            OpenJpeg.SetUserDataLength(stream, (ulong)encoded.Length);
            OpenJpeg.SetReadFunction(stream, &Read);
            OpenJpeg.SetSkipFunction(stream, &Skip);
            OpenJpeg.SetSeekFunction(stream, &Seek);
            if (OpenJpeg.ReadHeader(stream, codec, out var imagePointer) == 0)
                throw Failure("the JPEG 2000 header does not decode");
            using var image = new OpenJpegImageHandle(imagePointer);
            // opj_decode allocates what OpenJPEG read from the header: checked again, as OpenJPEG sees it.
            CheckImage(ref image.Image, layout, limits);
            if (OpenJpeg.Decode(codec, stream, imagePointer) == 0 || OpenJpeg.EndDecompress(codec, stream) == 0)
                throw Failure("the JPEG 2000 data does not decode");
            return Output(ref image.Image, layout);
        }
    }

    private static ImageException Failure(string what) =>
        ImageException.Malformed(_lastError is { } detail ? $"{what}: {detail.Trim()}" : what);

    /// <summary>
    /// The SIZ marker against the DICOM header and the limits: a flipped bit in Ysiz once asked opj_decode for
    /// 256×8388864 32-bit samples, and a tiny tile size asks opj_read_header for thousands of tiles' parameters.
    /// </summary>
    private static void CheckSiz(Jpeg2000Siz siz, PixelLayout layout, DecodeLimits limits)
    {
        limits.CheckDeclared("JPEG 2000 codestream", siz.Width, siz.Height, siz.Components, layout);
        var allowed = Math.Max(1, siz.Width * siz.Height / MinPixelsPerTile);
        if (siz.Tiles > allowed)
        {
            throw ImageException.Malformed(
                $"the JPEG 2000 codestream declares {siz.Tiles} tiles of {siz.TileWidth}×{siz.TileHeight} for a {siz.Width}×{siz.Height} image; at most {allowed} are decoded");
        }
    }

    /// <summary>The image OpenJPEG read from the header, before opj_decode allocates its samples.</summary>
    private static void CheckImage(ref OpenJpeg.Image image, PixelLayout layout, DecodeLimits limits)
    {
        limits.CheckDeclared("JPEG 2000 codestream", (long)image.X1 - image.X0, (long)image.Y1 - image.Y0, image.ComponentCount, layout);
        var precision = Precision(ref image);
        if (precision > 16)
            throw ImageException.Unsupported($"JPEG 2000 samples of {precision} bits are not supported");
    }

    private static int Precision(ref OpenJpeg.Image image)
    {
        var precision = 0;
        for (var c = 0; c < image.ComponentCount; c++)
            precision = Math.Max(precision, (int)image.Components[c].Precision);
        return precision;
    }

    private static PixelFrame Output(ref OpenJpeg.Image image, PixelLayout layout)
    {
        var (width, height) = ((int)(image.X1 - image.X0), (int)(image.Y1 - image.Y0));
        var count = (int)image.ComponentCount;
        var bytes = Precision(ref image) <= 8 ? 1 : 2;
        var output = new byte[DecodeLimits.BufferSize("the decoded JPEG 2000 frame", width, height, count, bytes)];
        for (var c = 0; c < count; c++)
        {
            ref var component = ref image.Components[c];
            if (component.Data is null)
                throw ImageException.Malformed($"JPEG 2000 component {c + 1} was not decoded");
            var (dx, dy) = ((int)Math.Max(1, component.Dx), (int)Math.Max(1, component.Dy));
            var stride = (int)component.Width;
            for (var y = 0; y < height; y++)
            {
                var row = component.Data + Math.Min(y / dy, (int)component.Height - 1) * stride;
                for (var x = 0; x < width; x++)
                {
                    var value = row[Math.Min(x / dx, stride - 1)];
                    var to = ((y * width + x) * count + c) * bytes;
                    if (bytes == 1)
                        output[to] = (byte)value;
                    else
                        BinaryPrimitives.WriteInt16LittleEndian(output.AsSpan(to), (short)value);
                }
            }
        }
        var photometric = count == 3 && layout.Photometric is Photometric.YbrIct or Photometric.YbrRct ? Photometric.Rgb : layout.Photometric;
        var result = layout with { Planar = false, Photometric = photometric, BitsAllocated = bytes * 8 };
        if (layout.BitsAllocated == 1)
            result = result with { BitsStored = 1, HighBit = 0 };
        return new PixelFrame(result, output);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MemorySource
    {
        public byte* Data;
        public long Length;
        public long Position;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static nuint Read(void* buffer, nuint size, void* user)
    {
        var source = (MemorySource*)user;
        var left = source->Length - source->Position;
        if (left <= 0)
            return nuint.MaxValue;
        var n = (long)Math.Min((ulong)left, size);
        Buffer.MemoryCopy(source->Data + source->Position, buffer, (long)size, n);
        source->Position += n;
        return (nuint)n;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static long Skip(long count, void* user)
    {
        var source = (MemorySource*)user;
        var target = Math.Clamp(source->Position + count, 0, source->Length);
        var skipped = target - source->Position;
        source->Position = target;
        return skipped;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Seek(long position, void* user)
    {
        var source = (MemorySource*)user;
        if (position < 0 || position > source->Length)
            return 0;
        source->Position = position;
        return 1;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnError(byte* message, void* user) =>
        _lastError = Marshal.PtrToStringUTF8((IntPtr)message);
}
