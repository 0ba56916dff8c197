using Tessera.Imaging.Native;
using Tessera.Imaging.Pixels;

namespace Tessera.Imaging.Codecs;

/// <summary>JPEG-LS, lossless and near-lossless (1.2.840.10008.1.2.4.80, .81), through CharLS.</summary>
public sealed class JpegLsDecoder : IFrameDecoder
{
    public static JpegLsDecoder Instance { get; } = new();

    public string Name => "JPEG-LS (CharLS)";

    public unsafe PixelFrame Decode(ReadOnlySpan<byte> encoded, PixelLayout layout, DecodeLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        layout.Validate();
        limits.CheckFrame(layout);
        NativeLibraries.Require(NativeLibraries.CharLs);
        using var decoder = CharLs.Create();
        if (decoder.IsInvalid)
            throw new InvalidOperationException("CharLS could not create a decoder");
        fixed (byte* source = encoded)
        {
            Check(CharLs.SetSource(decoder, source, (nuint)encoded.Length));
            Check(CharLs.ReadHeader(decoder));
            Check(CharLs.GetFrameInfo(decoder, out var info));
            Check(CharLs.GetInterleaveMode(decoder, out var interleave));
            // The SOF55 segment just read is what CharLS will fill: checked before the buffer is made.
            limits.CheckDeclared("JPEG-LS frame header (SOF55)", info.Width, info.Height, info.ComponentCount, layout);
            if (info.BitsPerSample is < 2 or > 16)
                throw ImageException.Malformed($"the JPEG-LS frame header declares {info.BitsPerSample}-bit samples (2 to 16 are defined)");
            var bytes = info.BitsPerSample <= 8 ? 1 : 2;
            Check(CharLs.GetDestinationSize(decoder, 0, out var size));
            var expected = DecodeLimits.BufferSize("the decoded JPEG-LS frame", info.Width, info.Height, info.ComponentCount, bytes);
            if (size != (nuint)expected)
                throw ImageException.Malformed($"CharLS asks for {size} bytes for a frame of {expected}");
            var output = new byte[expected];
            fixed (byte* destination = output)
                Check(CharLs.DecodeToBuffer(decoder, destination, size, 0));
            var result = layout with { Planar = false, BitsAllocated = bytes * 8 };
            if (interleave == 0 && info.ComponentCount > 1)
            {
                var interleaved = new byte[output.Length];
                NativeDecoder.Interleave(output, interleaved, layout.Pixels, info.ComponentCount, bytes);
                output = interleaved;
            }
            return new PixelFrame(result, output);
        }
    }

    private static void Check(int error)
    {
        if (error != 0)
            throw ImageException.Malformed($"the JPEG-LS data does not decode: {CharLs.Describe(error)}");
    }
}
